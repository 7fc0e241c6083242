// Package protocol reads Bazel's persistent worker requests and writes its
// responses, in either of the two wire formats Bazel speaks: varint-delimited
// protocol buffers (the default) and JSON (requires-worker-protocol: json).
//
// A Reader yields WorkRequests and a Writer writes WorkResponses. When the
// format is not given, the Reader tells it from the first bytes of the stream;
// the Writer must then use the format the Reader found.
package protocol

import (
	"errors"
	"fmt"
)

// Protocol is a wire format of the worker protocol.
type Protocol int

const (
	// Auto means the format is not known yet: a Reader detects it from the
	// first request.
	Auto Protocol = iota
	// Proto is varint-delimited binary protocol buffers.
	Proto
	// JSON is protocol buffers' JSON mapping, one object after another.
	JSON
)

// String returns the name Bazel uses for the format ("proto", "json"), or
// "auto".
func (p Protocol) String() string {
	switch p {
	case Auto:
		return "auto"
	case Proto:
		return "proto"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// Parse returns the Protocol named by s: "proto", "json", or "auto" (or the
// empty string) for detection.
func Parse(s string) (Protocol, error) {
	switch s {
	case "", "auto":
		return Auto, nil
	case "proto":
		return Proto, nil
	case "json":
		return JSON, nil
	}
	return Auto, fmt.Errorf("unknown worker protocol %q (want proto, json or auto)", s)
}

// ErrMalformed is wrapped by every error a Reader returns for input that is
// not a valid request stream (as opposed to an I/O error of the underlying
// reader).
var ErrMalformed = errors.New("malformed work request")

// MaxMessageSize is the largest proto message a Reader accepts: protocol
// buffers cannot represent messages of 2 GiB or more, and Bazel's Java
// reader cannot either. There is deliberately no smaller cap: a request with
// many inputs easily exceeds the 4 MiB that protodelim allows by default.
const MaxMessageSize = 1<<31 - 1
