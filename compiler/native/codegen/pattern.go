package codegen

import (
	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
)

// patternContext is pattern_context.
type patternContext struct {
	stores           []string
	allowIrrefutable bool
	failPop          []instr.Label
	onTop            int
}

func isWildcard(p ast.Pattern) bool {
	a, ok := p.(*ast.MatchAs)
	return ok && a.Pattern == nil && a.Name == ""
}

func isStarWildcard(p ast.Pattern) bool {
	s, ok := p.(*ast.MatchStar)
	return ok && s.Name == ""
}

func (c *compiler) ensureFailPop(pc *patternContext, n int) {
	for len(pc.failPop) < n+1 {
		pc.failPop = append(pc.failPop, c.newLabel())
	}
}

func (c *compiler) jumpToFailPop(loc instr.Location, pc *patternContext, op opcode.Op) {
	pops := pc.onTop + len(pc.stores)
	c.ensureFailPop(pc, pops)
	c.jump(op, pc.failPop[pops], loc)
}

func (c *compiler) emitAndResetFailPop(loc instr.Location, pc *patternContext) {
	if len(pc.failPop) == 0 {
		return
	}
	for i := len(pc.failPop) - 1; i > 0; i-- {
		c.useLabel(pc.failPop[i])
		c.addop(opPOP_TOP, 0, loc)
	}
	c.useLabel(pc.failPop[0])
	pc.failPop = nil
}

func (c *compiler) patternRotate(loc instr.Location, count int) {
	for count > 1 {
		c.addop(opSWAP, int32(count), loc)
		count--
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *compiler) patternStoreName(loc instr.Location, n string, pc *patternContext) {
	if n == "" {
		c.addop(opPOP_TOP, 0, loc)
		return
	}
	c.forbiddenName(loc, n, ast.Store)
	if contains(pc.stores, n) {
		c.errorf(loc, "multiple assignments to name %s in pattern", c.repr(ast.StrValue(n)))
	}
	c.patternRotate(loc, pc.onTop+len(pc.stores)+1)
	pc.stores = append(pc.stores, n)
}

func (c *compiler) patternUnpack(loc instr.Location, elts []ast.Pattern) {
	n := len(elts)
	seen := false
	for i, e := range elts {
		if _, ok := e.(*ast.MatchStar); ok {
			if seen {
				c.errorf(loc, "multiple starred expressions in sequence pattern")
			}
			if i >= 1<<8 || n-i-1 >= (1<<31-1)>>8 {
				c.errorf(loc, "too many expressions in star-unpacking sequence pattern")
			}
			c.addop(opUNPACK_EX, int32(i+(n-i-1)<<8), loc)
			seen = true
		}
	}
	if !seen {
		c.addop(opUNPACK_SEQUENCE, int32(n), loc)
	}
}

func (c *compiler) patternSequenceUnpack(loc instr.Location, pats []ast.Pattern, pc *patternContext) {
	c.patternUnpack(loc, pats)
	pc.onTop += len(pats)
	for _, p := range pats {
		pc.onTop--
		c.patternSubpattern(p, pc)
	}
}

func (c *compiler) patternSequenceSubscr(loc instr.Location, pats []ast.Pattern, star int, pc *patternContext) {
	pc.onTop++
	size := len(pats)
	for i, p := range pats {
		if isWildcard(p) || i == star {
			continue
		}
		c.addop(opCOPY, 1, loc)
		if i < star {
			c.loadConst(loc, c.p.NewInt(int64(i)))
		} else {
			c.addop(opGET_LEN, 0, loc)
			c.loadConst(loc, c.p.NewInt(int64(size-i)))
			c.binary(loc, ast.Sub, false)
		}
		c.addop(opBINARY_SUBSCR, 0, loc)
		c.patternSubpattern(p, pc)
	}
	pc.onTop--
	c.addop(opPOP_TOP, 0, loc)
}

func (c *compiler) patternSubpattern(p ast.Pattern, pc *patternContext) {
	allow := pc.allowIrrefutable
	pc.allowIrrefutable = true
	c.pattern(p, pc)
	pc.allowIrrefutable = allow
}

func (c *compiler) patternAs(p *ast.MatchAs, pc *patternContext) {
	loc := locAt(p.Location())
	if p.Pattern == nil {
		if !pc.allowIrrefutable {
			if p.Name != "" {
				c.errorf(loc, "name capture %s makes remaining patterns unreachable", c.repr(ast.StrValue(p.Name)))
			}
			c.errorf(loc, "wildcard makes remaining patterns unreachable")
		}
		c.patternStoreName(loc, p.Name, pc)
		return
	}
	pc.onTop++
	c.addop(opCOPY, 1, loc)
	c.pattern(p.Pattern, pc)
	pc.onTop--
	c.patternStoreName(loc, p.Name, pc)
}

func (c *compiler) patternClass(p *ast.MatchClass, pc *patternContext) {
	loc := locAt(p.Location())
	nargs, nattrs := len(p.Patterns), len(p.KwdAttrs)
	if nattrs != len(p.KwdPatterns) {
		c.errorf(loc, "kwd_attrs (%d) / kwd_patterns (%d) length mismatch in class pattern", nattrs, len(p.KwdPatterns))
	}
	// validate_kwd_attrs: each name against every later one, through
	// nextSame past a few.
	var next []int
	if nattrs > 16 {
		next = nextSame(nattrs, func(i int) string { return p.KwdAttrs[i] })
	}
	for i, a := range p.KwdAttrs {
		c.forbiddenName(locOf(p.KwdPatterns[i]), a, ast.Store)
		if next != nil {
			if j := next[i]; j >= 0 {
				c.errorf(locOf(p.KwdPatterns[j]), "attribute name repeated in class pattern: %s", a)
			}
			continue
		}
		for j := i + 1; j < nattrs; j++ {
			if p.KwdAttrs[j] == a {
				c.errorf(locOf(p.KwdPatterns[j]), "attribute name repeated in class pattern: %s", a)
			}
		}
	}
	c.expr(p.Cls)
	names := make([]*pyobj.Object, nattrs)
	for i, a := range p.KwdAttrs {
		names[i] = c.p.Identifier(a)
	}
	c.loadConst(loc, c.p.NewTuple(names))
	c.addop(opMATCH_CLASS, int32(nargs), loc)
	c.addop(opCOPY, 1, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addop(opIS_OP, 1, loc)
	pc.onTop++
	c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	c.addop(opUNPACK_SEQUENCE, int32(nargs+nattrs), loc)
	pc.onTop += nargs + nattrs - 1
	for i := 0; i < nargs+nattrs; i++ {
		pc.onTop--
		var sub ast.Pattern
		if i < nargs {
			sub = p.Patterns[i]
		} else {
			sub = p.KwdPatterns[i-nargs]
		}
		if isWildcard(sub) {
			c.addop(opPOP_TOP, 0, loc)
			continue
		}
		c.patternSubpattern(sub, pc)
	}
}

// repr is repr() of a constant, for messages (%R).
func (c *compiler) repr(v ast.Value) string {
	b, err := astdump.AppendRepr(nil, v, c.cfg.Release)
	if err != nil {
		c.fail(err)
	}
	return string(b)
}

func (c *compiler) patternMapping(p *ast.MatchMapping, pc *patternContext) {
	loc := locAt(p.Location())
	size := len(p.Keys)
	if size != len(p.Patterns) {
		c.errorf(loc, "keys (%d) / patterns (%d) length mismatch in mapping pattern", size, len(p.Patterns))
	}
	star := p.Rest
	pc.onTop++
	c.addop(opMATCH_MAPPING, 0, loc)
	c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	if size == 0 && star == "" {
		pc.onTop--
		c.addop(opPOP_TOP, 0, loc)
		return
	}
	if size > 0 {
		c.addop(opGET_LEN, 0, loc)
		c.loadConst(loc, c.p.NewInt(int64(size)))
		c.addCompare(loc, ast.GtE)
		c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	}
	var seen keySet
	for i, key := range p.Keys {
		if key == nil {
			c.errorf(locOf(p.Patterns[i]), "can't use NULL keys in MatchMapping (set 'rest' parameter instead)")
		}
		switch k := key.(type) {
		case *ast.Constant:
			if seen.add(k.Value) {
				c.errorf(loc, "mapping pattern checks duplicate key (%s)", c.repr(k.Value))
			}
		case *ast.Attribute:
		default:
			c.errorf(loc, "mapping pattern keys may only match literals and attribute lookups")
		}
		c.expr(key)
	}
	c.addop(opBUILD_TUPLE, int32(size), loc)
	c.addop(opMATCH_KEYS, 0, loc)
	pc.onTop += 2
	c.addop(opCOPY, 1, loc)
	c.loadConst(loc, pyobj.NoneObj)
	c.addop(opIS_OP, 1, loc)
	c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	c.addop(opUNPACK_SEQUENCE, int32(size), loc)
	pc.onTop += size - 1
	for _, sub := range p.Patterns {
		pc.onTop--
		c.patternSubpattern(sub, pc)
	}
	pc.onTop -= 2
	if star != "" {
		c.addop(opBUILD_MAP, 0, loc)
		c.addop(opSWAP, 3, loc)
		c.addop(opDICT_UPDATE, 2, loc)
		c.addop(opUNPACK_SEQUENCE, int32(size), loc)
		for size > 0 {
			c.addop(opCOPY, int32(1+size), loc)
			size--
			c.addop(opSWAP, 2, loc)
			c.addop(opDELETE_SUBSCR, 0, loc)
		}
		c.patternStoreName(loc, star, pc)
	} else {
		c.addop(opPOP_TOP, 0, loc)
		c.addop(opPOP_TOP, 0, loc)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func (c *compiler) patternOr(p *ast.MatchOr, pc *patternContext) {
	loc := locAt(p.Location())
	end := c.newLabel()
	old := *pc
	var control []string
	for i, alt := range p.Patterns {
		pc.stores = nil
		pc.allowIrrefutable = i == len(p.Patterns)-1 && old.allowIrrefutable
		pc.failPop = nil
		pc.onTop = 0
		c.addop(opCOPY, 1, locAt(alt.Location()))
		c.pattern(alt, pc)
		nstores := len(pc.stores)
		if i == 0 {
			control = pc.stores
		} else if nstores != len(control) {
			c.errorf(loc, "alternative patterns bind different names")
		} else if nstores > 0 {
			for icontrol := nstores - 1; icontrol >= 0; icontrol-- {
				name := control[icontrol]
				istores := indexOf(pc.stores, name)
				if istores < 0 {
					c.errorf(loc, "alternative patterns bind different names")
				}
				if icontrol != istores {
					rotations := istores + 1
					rotated := append([]string(nil), pc.stores[:rotations]...)
					rest := append([]string(nil), pc.stores[rotations:]...)
					at := icontrol - istores
					ns := append([]string(nil), rest[:at]...)
					ns = append(ns, rotated...)
					ns = append(ns, rest[at:]...)
					pc.stores = ns
					for ; rotations > 0; rotations-- {
						c.patternRotate(locAt(alt.Location()), icontrol+1)
					}
				}
			}
		}
		c.jump(pJUMP, end, locAt(alt.Location()))
		c.emitAndResetFailPop(locAt(alt.Location()), pc)
	}
	*pc = old
	c.addop(opPOP_TOP, 0, loc)
	c.jumpToFailPop(loc, pc, pJUMP)
	c.useLabel(end)
	nstores := len(control)
	nrots := nstores + 1 + pc.onTop + len(pc.stores)
	for i := 0; i < nstores; i++ {
		c.patternRotate(loc, nrots)
		name := control[i]
		if contains(pc.stores, name) {
			c.errorf(loc, "multiple assignments to name %s in pattern", c.repr(ast.StrValue(name)))
		}
		pc.stores = append(pc.stores, name)
	}
	c.addop(opPOP_TOP, 0, loc)
}

func (c *compiler) patternSequence(p *ast.MatchSequence, pc *patternContext) {
	loc := locAt(p.Location())
	pats := p.Patterns
	size := len(pats)
	star := -1
	onlyWildcard, starWildcard := true, false
	for i, sub := range pats {
		if _, ok := sub.(*ast.MatchStar); ok {
			if star >= 0 {
				c.errorf(loc, "multiple starred names in sequence pattern")
			}
			starWildcard = isStarWildcard(sub)
			onlyWildcard = onlyWildcard && starWildcard
			star = i
			continue
		}
		onlyWildcard = onlyWildcard && isWildcard(sub)
	}
	pc.onTop++
	c.addop(opMATCH_SEQUENCE, 0, loc)
	c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	if star < 0 {
		c.addop(opGET_LEN, 0, loc)
		c.loadConst(loc, c.p.NewInt(int64(size)))
		c.addCompare(loc, ast.Eq)
		c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	} else if size > 1 {
		c.addop(opGET_LEN, 0, loc)
		c.loadConst(loc, c.p.NewInt(int64(size-1)))
		c.addCompare(loc, ast.GtE)
		c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	}
	pc.onTop--
	switch {
	case onlyWildcard:
		c.addop(opPOP_TOP, 0, loc)
	case starWildcard:
		c.patternSequenceSubscr(loc, pats, star, pc)
	default:
		c.patternSequenceUnpack(loc, pats, pc)
	}
}

func (c *compiler) pattern(p ast.Pattern, pc *patternContext) {
	loc := locAt(p.Location())
	switch t := p.(type) {
	case *ast.MatchValue:
		switch t.Value.(type) {
		case *ast.Constant, *ast.Attribute:
		default:
			c.errorf(loc, "patterns may only match literals and attribute lookups")
		}
		c.expr(t.Value)
		c.addCompare(loc, ast.Eq)
		c.addop(opTO_BOOL, 0, loc)
		c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	case *ast.MatchSingleton:
		c.loadValue(loc, t.Value)
		c.addCompare(loc, ast.Is)
		c.jumpToFailPop(loc, pc, opPOP_JUMP_IF_FALSE)
	case *ast.MatchSequence:
		c.patternSequence(t, pc)
	case *ast.MatchMapping:
		c.patternMapping(t, pc)
	case *ast.MatchClass:
		c.patternClass(t, pc)
	case *ast.MatchStar:
		c.patternStoreName(loc, t.Name, pc)
	case *ast.MatchAs:
		c.patternAs(t, pc)
	case *ast.MatchOr:
		c.patternOr(t, pc)
	default:
		c.errorf(loc, "invalid match pattern node in AST (kind=%d)", p.Class())
	}
}

// match is compiler_match.
func (c *compiler) match(s *ast.Match) {
	pc := &patternContext{}
	c.expr(s.Subject)
	end := c.newLabel()
	cases := len(s.Cases)
	m := s.Cases[cases-1]
	hasDefault := 0
	if isWildcard(m.Pattern) && cases > 1 {
		hasDefault = 1
	}
	for i := 0; i < cases-hasDefault; i++ {
		m = s.Cases[i]
		ploc := locAt(m.Pattern.Location())
		if i != cases-hasDefault-1 {
			c.addop(opCOPY, 1, ploc)
		}
		pc.stores = nil
		pc.allowIrrefutable = m.Guard != nil || i == cases-1
		pc.failPop = nil
		pc.onTop = 0
		c.pattern(m.Pattern, pc)
		for _, name := range pc.stores {
			c.nameop(ploc, name, ast.Store)
		}
		if m.Guard != nil {
			c.ensureFailPop(pc, 0)
			c.jumpIf(ploc, m.Guard, pc.failPop[0], false)
		}
		if i != cases-hasDefault-1 {
			c.addop(opPOP_TOP, 0, ploc)
		}
		c.stmts(m.Body)
		c.jump(pJUMP, end, noLoc)
		c.emitAndResetFailPop(ploc, pc)
	}
	if hasDefault == 1 {
		m = s.Cases[cases-1]
		ploc := locAt(m.Pattern.Location())
		if cases == 1 {
			c.addop(opPOP_TOP, 0, ploc)
		} else {
			c.addop(opNOP, 0, ploc)
		}
		if m.Guard != nil {
			c.jumpIf(ploc, m.Guard, end, false)
		}
		c.stmts(m.Body)
	}
	c.useLabel(end)
}

// keySet is the set of a mapping pattern's literal keys, a Python set: 1,
// 1.0 and True are one key. It compares a key with every earlier one while
// there are few, and past that only with those of the same hash (equal
// keys hash alike), so that a pattern of thousands of keys takes linear
// time.
type keySet struct {
	keys   []ast.Value
	byHash map[int64][]int
}

// add adds v to the set and reports whether an equal key was there.
func (s *keySet) add(v ast.Value) bool {
	if s.byHash == nil && len(s.keys) < 16 {
		for _, k := range s.keys {
			if pyobj.EqualValues(k, v) {
				return true
			}
		}
		s.keys = append(s.keys, v)
		return false
	}
	if s.byHash == nil {
		s.byHash = make(map[int64][]int, 2*len(s.keys))
		for i, k := range s.keys {
			h := pyobj.HashValue(k)
			s.byHash[h] = append(s.byHash[h], i)
		}
	}
	h := pyobj.HashValue(v)
	for _, i := range s.byHash[h] {
		if pyobj.EqualValues(s.keys[i], v) {
			return true
		}
	}
	s.byHash[h] = append(s.byHash[h], len(s.keys))
	s.keys = append(s.keys, v)
	return false
}
