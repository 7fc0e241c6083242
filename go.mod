module github.com/rules-pyc/rules_pyc

go 1.24.0

require (
	github.com/dchest/siphash v1.2.3
	google.golang.org/protobuf v1.36.12
)

require golang.org/x/sys v0.41.0 // indirect
