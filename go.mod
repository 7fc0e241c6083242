module github.com/rules-pyc/rules_pyc

go 1.24.0

require (
	golang.org/x/sys v0.41.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
