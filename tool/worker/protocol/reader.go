package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// bufferSize is the size of the Reader's read buffer. Proto messages up to
// this size are decoded straight from the buffer; larger ones are read into
// memory that grows with the bytes actually received.
const bufferSize = 64 << 10

// Reader yields the WorkRequests of one stream. It is not safe for
// concurrent use.
type Reader struct {
	protocol Protocol
	br       *bufio.Reader
	json     *json.Decoder
	err      error
}

// NewReader returns a Reader of the requests in r, in format p. With Auto the
// format is detected from the first bytes when Read is first called.
func NewReader(p Protocol, r io.Reader) *Reader {
	return &Reader{protocol: p, br: bufio.NewReaderSize(r, bufferSize)}
}

// Protocol returns the format of the stream: the one given to NewReader, or
// the one detected by the first Read (Auto before that).
func (r *Reader) Protocol() Protocol { return r.protocol }

// Read returns the next request. At the end of the stream, between two
// requests, it returns io.EOF. Errors for malformed input wrap ErrMalformed;
// a stream that ends inside a request also wraps io.ErrUnexpectedEOF. Once
// Read has failed it keeps returning the same error.
func (r *Reader) Read() (*workerpb.WorkRequest, error) {
	if r.err != nil {
		return nil, r.err
	}
	req, err := r.read()
	if err != nil {
		r.err = err
		return nil, err
	}
	return req, nil
}

func (r *Reader) read() (*workerpb.WorkRequest, error) {
	if r.protocol == Auto {
		p, err := detect(r.br)
		if err != nil {
			return nil, err
		}
		r.protocol = p
	}
	switch r.protocol {
	case Proto:
		return r.readProto()
	case JSON:
		return r.readJSON()
	}
	return nil, fmt.Errorf("read work request: unsupported protocol %v", r.protocol)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func truncated(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %w", ErrMalformed, fmt.Sprintf(format, args...), io.ErrUnexpectedEOF)
}

// readProto reads one varint-delimited message. protodelim would do the same
// but allocates the announced length up front, so a corrupt length such as
// 2^62 would exhaust memory (or panic) before any byte of the body is read.
func (r *Reader) readProto() (*workerpb.WorkRequest, error) {
	size, err := r.readLength()
	if err != nil {
		return nil, err
	}
	if size > MaxMessageSize {
		return nil, malformed("proto: length prefix %d is over protobuf's 2 GiB message limit", size)
	}
	var body []byte
	if size <= bufferSize {
		// Small: the bytes fit in the buffer, decode them in place.
		b, err := r.br.Peek(int(size))
		if err != nil {
			return nil, r.bodyError(err, size, len(b))
		}
		body = b
		defer func() { _, _ = r.br.Discard(int(size)) }()
	} else {
		// Large: grow with the data actually received, never to the
		// announced size before it has arrived.
		var buf bytes.Buffer
		n, err := buf.ReadFrom(io.LimitReader(r.br, int64(size)))
		if err != nil {
			return nil, fmt.Errorf("read work request: %w", err)
		}
		if uint64(n) < size {
			return nil, r.bodyError(io.EOF, size, int(n))
		}
		body = buf.Bytes()
	}
	req := new(workerpb.WorkRequest)
	if err := proto.Unmarshal(body, req); err != nil {
		return nil, malformed("proto: %d-byte message: %v", size, err)
	}
	return req, nil
}

func (r *Reader) bodyError(err error, size uint64, got int) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return truncated("proto: stream ends after %d of %d message bytes", got, size)
	}
	return fmt.Errorf("read work request: %w", err)
}

// readLength reads the varint length prefix of the next message.
func (r *Reader) readLength() (uint64, error) {
	var prefix [binary.MaxVarintLen64]byte
	n := 0
	for {
		b, err := r.br.ReadByte()
		if err == io.EOF {
			if n == 0 {
				return 0, io.EOF
			}
			return 0, truncated("proto: stream ends inside a length prefix")
		}
		if err != nil {
			return 0, fmt.Errorf("read work request: %w", err)
		}
		prefix[n] = b
		n++
		if b < 0x80 || n == len(prefix) {
			break
		}
	}
	size, m := protowire.ConsumeVarint(prefix[:n])
	if m < 0 {
		return 0, malformed("proto: length prefix % x: %v", prefix[:n], protowire.ParseError(m))
	}
	return size, nil
}

var jsonOptions = protojson.UnmarshalOptions{DiscardUnknown: true}

// readJSON reads one JSON object. encoding/json's Decoder splits the stream:
// it needs no separator between values (Bazel 4 writes none, Bazel 5 and
// later a newline) and returns each value as soon as its last byte arrives.
// protojson then maps the object onto the message.
func (r *Reader) readJSON() (*workerpb.WorkRequest, error) {
	if r.json == nil {
		r.json = json.NewDecoder(r.br)
	}
	var raw json.RawMessage
	if err := r.json.Decode(&raw); err != nil {
		var syntax *json.SyntaxError
		switch {
		case err == io.EOF:
			return nil, io.EOF
		case err == io.ErrUnexpectedEOF:
			return nil, truncated("json: stream ends inside a request")
		case errors.As(err, &syntax):
			return nil, malformed("json: at byte %d of the stream: %v", syntax.Offset, err)
		default:
			return nil, fmt.Errorf("read work request: %w", err)
		}
	}
	req := new(workerpb.WorkRequest)
	if err := jsonOptions.Unmarshal(raw, req); err != nil {
		return nil, malformed("json: %v", err)
	}
	return req, nil
}
