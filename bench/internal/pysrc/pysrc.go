// Package pysrc generates the Python modules the benchmarks compile.
package pysrc

import (
	"fmt"
	"strings"
)

// Module returns the source of module m of package p: about 6 KB of
// ordinary code (a dataclass-like class, functions, comprehensions, strings),
// different in every module.
func Module(p, m int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""Module %d of package %d, generated for the rules_pyc benchmark."""

import collections
import itertools
import re

LIMIT = %d
NAMES = ("alpha", "beta", "gamma", "delta", "epsilon")
PATTERN = re.compile(r"^(?P<key>[a-z]+)_(?P<value>\d+)$")
`, m, p, 100+p*m)
	for c := 0; c < 3; c++ {
		fmt.Fprintf(&b, `

class Record%[1]d_%[2]d:
    """A record with a value and a few derived properties."""

    __slots__ = ("value", "tags")

    def __init__(self, value, tags=()):
        self.value = value
        self.tags = tuple(tags)

    def __repr__(self):
        return f"Record%[1]d_%[2]d(value={self.value!r}, tags={self.tags!r})"

    def describe(self):
        parts = [f"{name}={self.value * i}" for i, name in enumerate(NAMES)]
        return ", ".join(parts) + (" [" + ",".join(self.tags) + "]" if self.tags else "")

    def scaled(self, factor):
        if factor < 0:
            raise ValueError(f"negative factor {factor} for {self!r}")
        return Record%[1]d_%[2]d(self.value * factor, self.tags + (str(factor),))
`, p, c)
	}
	for f := 0; f < 6; f++ {
		fmt.Fprintf(&b, `

def transform_%[1]d(items, limit=LIMIT):
    """Groups, filters and counts items (variant %[1]d of module %[2]d)."""
    counts = collections.Counter()
    groups = collections.defaultdict(list)
    for index, item in enumerate(items):
        match = PATTERN.match(str(item))
        if match is None:
            continue
        key, value = match.group("key"), int(match.group("value"))
        if value > limit:
            break
        counts[key] += value * %[1]d
        groups[key].append(index)
    pairs = itertools.islice(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), %[3]d)
    return {key: (total, groups[key]) for key, total in pairs}
`, f, m, f+2)
	}
	return b.String()
}
