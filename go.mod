module github.com/rules-pyc/rules_pyc

go 1.24.0

require (
	github.com/creack/pty v1.1.24
	github.com/dchest/siphash v1.2.3
	github.com/spf13/pflag v1.0.10
	golang.org/x/term v0.40.0
	google.golang.org/protobuf v1.36.12
)

require golang.org/x/sys v0.41.0
