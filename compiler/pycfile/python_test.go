package pycfile

// result is one answer of a script: a value, or the exception it raised.
type result struct {
	OK  *string `json:"ok"`
	Err string  `json:"err"`
}

func (r result) String() string {
	if r.OK != nil {
		return *r.OK
	}
	return "error " + r.Err
}
