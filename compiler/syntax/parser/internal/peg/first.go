package peg

import (
	"sort"
	"strings"
)

// First sets, for skipping in the first pass an alternative that cannot
// start with the current token.
//
// Skipping an alternative must not change what the parser does. It is safe
// when the current token has already been fetched (the alternative would
// not fetch anything), is not in the alternative's first set (the
// alternative fails at that token after trying its first items), in the
// first pass (every rule is called with the invalid_* alternatives off, so
// a memoized result computed later is the one the skipped calls would have
// memoized), and far enough from the nesting limit that the calls the
// alternative would have made could not have reached it.
//
// The first set of an alternative is the set of kinds its first
// consuming items may start with, through nullable items, lookaheads (a
// positive lookahead's set counts as its item's) and cuts. A forced item,
// or a nullable rule whose empty match runs an action, makes the set
// "anything".
//
// The generated code takes these skips (and the other first-pass
// shortcuts: operand chains, pass-through chains, seed bases) only in the
// parser's optimistic first pass, which implies the first pass and a
// nesting level below skipLevel (the parser's optimisticLimit is lower);
// a parse run again after an optimistic pass takes none of them.

// firstSet is a set of token kinds (Go constant names), or anything.
type firstSet struct {
	kinds map[string]bool
	any   bool
}

func (f *firstSet) add(o firstSet) {
	if o.any {
		f.any = true
	}
	for k := range o.kinds {
		if f.kinds == nil {
			f.kinds = map[string]bool{}
		}
		f.kinds[k] = true
	}
}

func (f firstSet) key() string {
	if f.any {
		return "*"
	}
	var ks []string
	for k := range f.kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// firstInfo computes first sets over the grammar's rules (pass-one view:
// alternatives made of a single invalid_* rule are left out).
type firstInfo struct {
	g     *Grammar
	rules map[string]*ruleFirst
}

type ruleFirst struct {
	set      firstSet
	nullable bool
	// emptyAction: some nullable alternative runs an action.
	emptyAction bool
}

func gatedAlt(a *Alt) bool {
	if len(a.Items) != 1 {
		return false
	}
	ref, ok := a.Items[0].Node.(*Ref)
	return ok && strings.HasPrefix(ref.Name, "invalid_")
}

func newFirstInfo(g *Grammar) *firstInfo {
	fi := &firstInfo{g: g, rules: map[string]*ruleFirst{}}
	for _, r := range g.Rules {
		fi.rules[r.Name] = &ruleFirst{}
	}
	// Iterate to a fixed point: sets only grow.
	for changed := true; changed; {
		changed = false
		for _, r := range g.Rules {
			old := fi.rules[r.Name]
			oldKey, oldNull, oldEA := old.set.key(), old.nullable, old.emptyAction
			var nf ruleFirst
			for _, a := range r.Alts {
				if gatedAlt(a) {
					continue
				}
				s, null := fi.alt(a)
				nf.set.add(s)
				if null {
					nf.nullable = true
					if a.Action != "" {
						nf.emptyAction = true
					}
				}
			}
			if nf.set.key() != oldKey || nf.nullable != oldNull || nf.emptyAction != oldEA {
				fi.rules[r.Name] = &nf
				changed = true
			}
		}
	}
	return fi
}

// alt returns an alternative's first set and whether it can match nothing.
func (fi *firstInfo) alt(a *Alt) (firstSet, bool) {
	var s firstSet
	for _, it := range a.Items {
		is, null := fi.node(it.Node)
		s.add(is)
		if !null {
			return s, false
		}
	}
	return s, true
}

func (fi *firstInfo) node(n Node) (firstSet, bool) {
	one := func(k string) firstSet { return firstSet{kinds: map[string]bool{k: true}} }
	switch n := n.(type) {
	case *Ref:
		if k, ok := tokenKinds[n.Name]; ok {
			return one(k), false
		}
		rf := fi.rules[n.Name]
		if rf == nil {
			return firstSet{any: true}, true
		}
		s := rf.set
		if rf.nullable && rf.emptyAction {
			s = firstSet{any: true}
		}
		return s, rf.nullable
	case *Lit:
		k, _ := litKind(n.Text)
		return one("token." + k), false
	case *Soft:
		return one("token.NAME"), false
	case *Group:
		var s firstSet
		null := false
		for _, a := range n.Alts {
			if gatedAlt(a) {
				continue
			}
			as, an := fi.alt(a)
			s.add(as)
			if an {
				null = true
				if a.Action != "" {
					s.any = true
				}
			}
		}
		return s, null
	case *Opt:
		s, _ := fi.node(n.X)
		return s, true
	case *Rep:
		s, null := fi.node(n.X)
		return s, null || n.Min == 0
	case *Gather:
		return fi.node(n.Elem)
	case *Look:
		if !n.Pos {
			return firstSet{}, true
		}
		return fi.node(n.X)
	case *Forced:
		return firstSet{any: true}, false
	case *Cut:
		return firstSet{}, true
	}
	return firstSet{any: true}, true
}
