package peg

import (
	"fmt"
	"sort"
	"strings"
)

// Check resolves the names of g and computes which rules are nullable and
// which are left-recursive, choosing for each left-recursive cycle the
// leader pegen chooses: the alphabetically first rule among those that lie
// on every cycle.
func Check(g *Grammar) error {
	var errs []string
	for _, r := range g.Rules {
		walkRule(r, func(n Node) {
			if ref, ok := n.(*Ref); ok && !IsToken(ref.Name) && g.byName[ref.Name] == nil {
				errs = append(errs, fmt.Sprintf("rule %s: unknown name %s", r.Name, ref.Name))
			}
		})
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	computeNullable(g)
	return computeLeftRecursion(g)
}

func walkRule(r *Rule, f func(Node)) {
	for _, a := range r.Alts {
		walkAlt(a, f)
	}
}

func walkAlt(a *Alt, f func(Node)) {
	for _, it := range a.Items {
		walkNode(it.Node, f)
	}
}

func walkNode(n Node, f func(Node)) {
	f(n)
	switch n := n.(type) {
	case *Group:
		for _, a := range n.Alts {
			walkAlt(a, f)
		}
	case *Opt:
		walkNode(n.X, f)
	case *Rep:
		walkNode(n.X, f)
	case *Gather:
		walkNode(n.Sep, f)
		walkNode(n.Elem, f)
	case *Look:
		walkNode(n.X, f)
	case *Forced:
		walkNode(n.X, f)
	}
}

// computeNullable marks the rules that can succeed without consuming a
// token, as pegen's NullableVisitor does (a rule already being visited
// counts as not nullable).
func computeNullable(g *Grammar) {
	visited := map[*Rule]bool{}
	var rule func(r *Rule) bool
	var node func(n Node) bool
	alt := func(a *Alt) bool {
		for _, it := range a.Items {
			if !node(it.Node) {
				return false
			}
		}
		return true
	}
	node = func(n Node) bool {
		switch n := n.(type) {
		case *Ref:
			if r := g.byName[n.Name]; r != nil {
				return rule(r)
			}
			return false
		case *Lit, *Soft:
			return false
		case *Group:
			for _, a := range n.Alts {
				if alt(a) {
					return true
				}
			}
			return false
		case *Opt, *Look, *Forced:
			return true
		case *Rep:
			return n.Min == 0
		case *Gather, *Cut:
			return false
		}
		return false
	}
	rule = func(r *Rule) bool {
		if visited[r] {
			return r.Nullable
		}
		visited[r] = true
		for _, a := range r.Alts {
			if alt(a) {
				r.Nullable = true
				break
			}
		}
		return r.Nullable
	}
	for _, r := range g.Rules {
		rule(r)
	}
}

// initialNames returns the rules that an alternative list may call at its
// first position, as pegen's InitialNamesVisitor.
func initialNames(g *Grammar, alts []*Alt) map[string]bool {
	names := map[string]bool{}
	var node func(n Node) map[string]bool
	nullable := func(n Node) bool {
		switch n := n.(type) {
		case *Ref:
			if r := g.byName[n.Name]; r != nil {
				return r.Nullable
			}
			return false
		case *Opt, *Look, *Forced:
			return true
		case *Rep:
			return n.Min == 0
		case *Group:
			for _, a := range n.Alts {
				ok := true
				for _, it := range a.Items {
					if !nullableNode(g, it.Node) {
						ok = false
						break
					}
				}
				if ok {
					return true
				}
			}
		}
		return false
	}
	node = func(n Node) map[string]bool {
		out := map[string]bool{}
		switch n := n.(type) {
		case *Ref:
			out[n.Name] = true
		case *Group:
			for k := range initialNames(g, n.Alts) {
				out[k] = true
			}
		case *Opt:
			return node(n.X)
		case *Rep:
			return node(n.X)
		case *Gather:
			return node(n.Elem)
		case *Look:
			return node(n.X)
		case *Forced:
			return node(n.X)
		}
		return out
	}
	for _, a := range alts {
		for _, it := range a.Items {
			for k := range node(it.Node) {
				names[k] = true
			}
			if !nullable(it.Node) {
				break
			}
		}
	}
	return names
}

func nullableNode(g *Grammar, n Node) bool {
	switch n := n.(type) {
	case *Ref:
		if r := g.byName[n.Name]; r != nil {
			return r.Nullable
		}
	case *Opt, *Look, *Forced:
		return true
	case *Rep:
		return n.Min == 0
	}
	return false
}

func computeLeftRecursion(g *Grammar) error {
	graph := map[string][]string{}
	for _, r := range g.Rules {
		var out []string
		for k := range initialNames(g, r.Alts) {
			if g.byName[k] != nil {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		graph[r.Name] = out
	}
	for _, scc := range stronglyConnected(g, graph) {
		if len(scc) == 1 {
			name := scc[0]
			for _, w := range graph[name] {
				if w == name {
					r := g.byName[name]
					r.LeftRecursive = true
					r.Leader = true
					r.SelfRecursive = true
				}
			}
			continue
		}
		inSCC := map[string]bool{}
		for _, n := range scc {
			inSCC[n] = true
			g.byName[n].LeftRecursive = true
		}
		// The leader is the first name (alphabetically) whose removal
		// breaks every cycle of the component.
		sorted := append([]string(nil), scc...)
		sort.Strings(sorted)
		leader := ""
		for _, cand := range sorted {
			if !hasCycleWithout(graph, inSCC, cand) {
				leader = cand
				break
			}
		}
		if leader == "" {
			return fmt.Errorf("left-recursive rules %v have no leader", sorted)
		}
		g.byName[leader].Leader = true
	}
	return nil
}

// hasCycleWithout reports whether the component still has a cycle once
// the rule skip is taken out.
func hasCycleWithout(graph map[string][]string, in map[string]bool, skip string) bool {
	state := map[string]int{} // 0 unvisited, 1 on stack, 2 done
	var visit func(n string) bool
	visit = func(n string) bool {
		state[n] = 1
		for _, w := range graph[n] {
			if !in[w] || w == skip {
				continue
			}
			if state[w] == 1 {
				return true
			}
			if state[w] == 0 && visit(w) {
				return true
			}
		}
		state[n] = 2
		return false
	}
	for n := range in {
		if n != skip && state[n] == 0 && visit(n) {
			return true
		}
	}
	return false
}

// stronglyConnected returns the strongly connected components of graph
// (Tarjan's algorithm), visiting the rules in grammar order.
func stronglyConnected(g *Grammar, graph map[string][]string) [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var strong func(v string)
	strong = func(v string) {
		index[v] = next
		low[v] = next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range graph[v] {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			out = append(out, comp)
		}
	}
	for _, r := range g.Rules {
		if _, seen := index[r.Name]; !seen {
			strong(r.Name)
		}
	}
	return out
}
