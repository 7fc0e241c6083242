package codegen

// ErrUnsupported is returned for constructs this package does not
// generate code for yet.
type ErrUnsupported struct{ What string }

func (e *ErrUnsupported) Error() string { return "codegen: " + e.What + " is not supported yet" }
