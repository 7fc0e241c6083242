#!/bin/sh
# Regenerates worker_protocol.pb.go from worker_protocol.proto.
#
# Needs protoc (Debian: apt-get install protobuf-compiler). protoc-gen-go is
# run from the Go module proxy at the version pinned below, which matches the
# google.golang.org/protobuf requirement in go.mod. A normal build never runs
# this: the generated file is committed.
set -eu

PROTOC_GEN_GO_VERSION=v1.36.12

cd "$(dirname "$0")"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT INT TERM
GOBIN="$bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
protoc \
	--plugin=protoc-gen-go="$bin/protoc-gen-go" \
	--go_out=. \
	--go_opt=paths=source_relative \
	worker_protocol.proto
