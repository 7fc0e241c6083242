// Package workerpb holds the Go messages of Bazel's persistent worker
// protocol (package blaze.worker), generated from worker_protocol.proto.
//
// The generated file is committed so that a build needs no protoc; run
// generate.sh (or go generate) after changing the .proto.
package workerpb

//go:generate ./generate.sh
