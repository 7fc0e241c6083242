package symtable

import "strings"

// Mangle returns name as it is stored inside a class named private
// (_Py_Mangle): a name that starts with two underscores, does not end with
// two and holds no dot becomes "_" + private without its leading
// underscores + name. Nothing changes outside a class (private ""), or when
// the class's name is only underscores.
func Mangle(private, name string) string {
	if private == "" || len(name) < 2 || name[0] != '_' || name[1] != '_' {
		return name
	}
	if strings.HasSuffix(name, "__") || strings.IndexByte(name, '.') >= 0 {
		return name
	}
	p := strings.TrimLeft(private, "_")
	if p == "" {
		return name
	}
	return "_" + p + name
}

// MaybeMangle returns name as block b stores it, inside a class named
// private (_Py_MaybeMangle): in the type parameters block of a generic
// class and the blocks inside it only the type parameters' names are
// mangled; everywhere else, Mangle's rule.
func MaybeMangle(private string, b *Block, name string) string {
	// The common case (a name without two leading underscores) is
	// decided where the call is inlined; no private name is Mangle's
	// test (the callers make it first).
	if len(name) < 2 || name[:2] != "__" {
		return name
	}
	return maybeMangle(private, b, name)
}

func maybeMangle(private string, b *Block, name string) string {
	if b != nil && b.mangled != nil {
		if _, ok := b.mangled.names[name]; !ok {
			return name
		}
	}
	return Mangle(private, name)
}
