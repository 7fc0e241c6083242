package protocol

import (
	"bufio"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// Writer writes WorkResponses in one format. It is not safe for concurrent
// use: callers serialize their writes.
type Writer struct {
	protocol Protocol
	bw       *bufio.Writer
}

// NewWriter returns a Writer of responses to w in format p, which must be
// Proto or JSON.
func NewWriter(p Protocol, w io.Writer) (*Writer, error) {
	if p != Proto && p != JSON {
		return nil, fmt.Errorf("new response writer: protocol must be proto or json, not %v", p)
	}
	return &Writer{protocol: p, bw: bufio.NewWriter(w)}, nil
}

// Protocol returns the format the Writer writes.
func (w *Writer) Protocol() Protocol { return w.protocol }

var jsonMarshal = protojson.MarshalOptions{} // lowerCamelCase keys, defaults omitted, one line

// Write writes one response and flushes it. In proto it is varint-delimited;
// in JSON it is one object with lowerCamelCase keys and default values
// omitted (except the exit code of an otherwise empty response), followed by
// a newline.
func (w *Writer) Write(resp *workerpb.WorkResponse) error {
	switch w.protocol {
	case Proto:
		if _, err := protodelim.MarshalTo(w.bw, resp); err != nil {
			return fmt.Errorf("write work response %d: %w", resp.GetRequestId(), err)
		}
	case JSON:
		b, err := jsonMarshal.Marshal(resp)
		if err != nil {
			return fmt.Errorf("write work response %d: %w", resp.GetRequestId(), err)
		}
		if len(b) == 2 {
			// Bazel 4's JSON reader (Gson) waits for five characters before
			// it parses the first response, so "{}\n" alone would leave it
			// waiting forever. An empty response says its exit code.
			b = []byte(`{"exitCode":0}`)
		}
		b = append(b, '\n')
		if _, err := w.bw.Write(b); err != nil {
			return fmt.Errorf("write work response %d: %w", resp.GetRequestId(), err)
		}
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("write work response %d: %w", resp.GetRequestId(), err)
	}
	return nil
}
