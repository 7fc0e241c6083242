package opcode

// withV313PseudoTargets fills in 3.13's pseudo instruction targets
// (_PyOpcode_PseudoTargets in Include/internal/pycore_opcode_metadata.h):
// the real instructions each pseudo instruction may become. No Python module
// exposes them.
func withV313PseudoTargets(info []Info) []Info {
	find := func(name string) Op {
		for i := range info {
			if info[i].Name == name {
				return Op(i)
			}
		}
		panic("opcode 3.13: no " + name)
	}
	targets := map[string][]string{
		"LOAD_CLOSURE":           {"LOAD_FAST"},
		"STORE_FAST_MAYBE_NULL":  {"STORE_FAST"},
		"LOAD_SUPER_METHOD":      {"LOAD_SUPER_ATTR"},
		"LOAD_ZERO_SUPER_METHOD": {"LOAD_SUPER_ATTR"},
		"LOAD_ZERO_SUPER_ATTR":   {"LOAD_SUPER_ATTR"},
		"LOAD_METHOD":            {"LOAD_ATTR"},
		"JUMP":                   {"JUMP_FORWARD", "JUMP_BACKWARD"},
		"JUMP_NO_INTERRUPT":      {"JUMP_FORWARD", "JUMP_BACKWARD_NO_INTERRUPT"},
		"SETUP_FINALLY":          {"NOP"},
		"SETUP_CLEANUP":          {"NOP"},
		"SETUP_WITH":             {"NOP"},
		"POP_BLOCK":              {"NOP"},
	}
	for pseudo, ts := range targets {
		p := find(pseudo)
		for _, t := range ts {
			info[p].Targets = append(info[p].Targets, find(t))
		}
	}
	return info
}
