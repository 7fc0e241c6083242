package codegen

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
)

//go:embed testdata/optcfg.py
var optcfgScript string

// cfgRequest is one unit for optcfg.py: its instructions (opcode, oparg,
// line, end line, column, end column, 1 when the oparg is a jump target's
// instruction index), its constants (encodeConst) and its number of
// locals.
type cfgRequest struct {
	Rows    [][7]int32 `json:"rows"`
	Consts  []any      `json:"consts"`
	NLocals int        `json:"nlocals"`
}

type cfgAnswer struct {
	Loads   [][2]json.RawMessage `json:"loads"`
	Rebuilt [][2]json.RawMessage `json:"rebuilt"`
	Error   string               `json:"error"`
}

// cfgJob is a request with what the answer must be: the loads of the code
// object compile() made.
type cfgJob struct {
	path string
	req  cfgRequest
	want [][2]json.RawMessage
}

// optCfg is a running optcfg.py.
type optCfg struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startOptCfg starts optcfg.py with in's interpreter; the test's cleanup
// stops it.
func startOptCfg(t *testing.T, in astjson.Interp) *optCfg {
	t.Helper()
	cmd := in.Interpreter().Command(context.Background(), "-S", "-s", "-c", oraclewire.Prelude+optcfgScript)
	cmd.Env = append(cmd.Env, "PYTHONHASHSEED=0")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	o := &optCfg{cmd: cmd, in: w, out: bufio.NewReaderSize(r, 1<<20)}
	t.Cleanup(func() {
		_ = o.in.Close()
		if err := o.cmd.Wait(); err != nil && !t.Failed() {
			t.Errorf("optcfg.py: %v: %s", err, stderr.String())
		}
	})
	return o
}

// run sends the jobs' units and compares each answer with the job's
// loads.
func (o *optCfg) run(d *differ, jobs []cfgJob) error {
	reqs := make([]cfgRequest, len(jobs))
	for i, j := range jobs {
		reqs[i] = j.req
	}
	b, err := json.Marshal(reqs)
	if err != nil {
		return err
	}
	if _, err := o.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("optcfg.py: %v", err)
	}
	line, err := o.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("optcfg.py: %v", err)
	}
	var ans []cfgAnswer
	if err := json.Unmarshal(line, &ans); err != nil {
		return fmt.Errorf("optcfg.py's answer: %v", err)
	}
	if len(ans) != len(jobs) {
		return fmt.Errorf("optcfg.py: %d answers for %d units", len(ans), len(jobs))
	}
	for i, j := range jobs {
		a := ans[i]
		if a.Error != "" {
			d.addf("%s: CPython's CFG optimizer on the native unit: %s", j.path, a.Error)
			continue
		}
		compareLoads(d, j.path, j.want, a.Loads, a.Rebuilt)
	}
	return nil
}

// compareLoads compares two lists of constant loads. A load agrees when
// it is CPython's, or, for one holding frozensets, when CPython's is the
// same with those sets rebuilt (rebuilt): _PyCode_New rebuilds a
// frozenset when interning replaces one of its strs, which depends on
// the strs interned before (pyobj.NewCodeObject does it; code generation
// does not).
func compareLoads(d *differ, path string, want, got, rebuilt [][2]json.RawMessage) {
	n := min(len(want), len(got))
	for i := 0; i < n; i++ {
		w := string(want[i][0]) + " " + canonConst(want[i][1])
		g := string(got[i][0]) + " " + canonConst(got[i][1])
		if w != g && i < len(rebuilt) && w == string(rebuilt[i][0])+" "+canonConst(rebuilt[i][1]) {
			continue
		}
		if w != g {
			d.addf("%s: constant load %d: CPython %s, native constants give %s", path, i, w, g)
			return
		}
	}
	if len(want) != len(got) {
		d.addf("%s: CPython's code object loads %d constants, the native constants give %d loads", path, len(want), len(got))
	}
}
