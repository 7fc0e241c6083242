package agreement

import "github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"

func init() { frontEnd = frontend.Dump }
