package protocol

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// detect tells the format of a stream from its first bytes, without
// consuming them.
//
// A JSON request starts with '{'. So does a proto request of exactly 123
// bytes, whose varint length prefix is the single byte 0x7B; its next byte
// is a field tag, most often 0x0A (field 1, arguments), which is also JSON
// whitespace. detect therefore checks whether the stream is a valid start of
// a JSON object, reading one byte at a time and never more than such a proto
// message would hold (1 + 123 bytes):
//
//   - under the JSON reading, every byte before the closing '}' promises
//     another one, and under the proto reading all 124 bytes are promised,
//     so detection never waits for a byte the sender will not send;
//   - a proto message is almost never a JSON prefix: tags and lengths below
//     0x20 cannot appear inside a JSON string and are not JSON tokens.
//
// The one ambiguity left: a 123-byte proto request whose first argument is
// 9, 10, 13, 32 or 34 bytes long (a length byte that is JSON whitespace or a
// quote) and whose text reads as the rest of a JSON object, such as " }".
// Bazel sends no such argument; an explicit protocol avoids the question.
//
// Anything that does not start with '{' is proto.
func detect(br *bufio.Reader) (Protocol, error) {
	first, err := br.Peek(1)
	if err == io.EOF {
		return Proto, nil // empty stream: the proto reader reports io.EOF
	}
	if err != nil {
		return Auto, fmt.Errorf("read work request: %w", err)
	}
	if first[0] != '{' {
		return Proto, nil
	}
	pr := &peekReader{br: br, limit: 1 + '{'}
	var raw json.RawMessage
	err = json.NewDecoder(pr).Decode(&raw)
	var syntax *json.SyntaxError
	switch {
	case err == nil, errors.Is(err, errPeekLimit):
		return JSON, nil
	case errors.As(err, &syntax):
		return Proto, nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// Truncated either way; the JSON reader explains it best.
		return JSON, nil
	}
	return Auto, fmt.Errorf("read work request: %w", err)
}

var errPeekLimit = errors.New("detection limit reached")

// peekReader serves the bytes of a bufio.Reader one at a time without
// consuming them, up to limit bytes. One byte per call keeps the JSON
// decoder from asking for more than it needs to judge the next token.
type peekReader struct {
	br       *bufio.Reader
	n, limit int
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if p.n >= p.limit {
		return 0, errPeekLimit
	}
	buf, err := p.br.Peek(p.n + 1)
	if len(buf) <= p.n {
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	b[0] = buf[p.n]
	p.n++
	return 1, nil
}
