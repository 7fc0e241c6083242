package codegen

// ErrUnsupported is returned for a source whose outcome in CPython the
// native compiler cannot reproduce, so that the compile goes to CPython
// when one is at hand: What says why.
type ErrUnsupported struct{ What string }

func (e *ErrUnsupported) Error() string { return e.What }
