package scanner

import (
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// tablesFor returns the Unicode tables of the release's unicodedata (3.13:
// Unicode 15.1.0).
func tablesFor(release.Release) UnicodeTables { return unidata.V15_1 }
