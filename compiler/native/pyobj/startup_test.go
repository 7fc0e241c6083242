package pyobj

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// probeScript is the generator's probe (see gen/main.go): one byte per
// NUL-separated candidate, 1 when an equal str is interned in a process
// in the reference state. Its own code interns nothing new.
// For "" and chr(0)..chr(255) it appends 257 bytes read from marshal's
// type codes.
const probeScript = `I=__import__
S=I(b'sys'.decode())
I(b'py_compile'.decode())
compile(b'',b'<x>'.decode(),b'exec'.decode())
M=I(b'marshal'.decode()).dumps
N=S.intern
E=b'utf-8'.decode()
P=b'surrogatepass'.decode()
R=[]
for d in S.stdin.buffer.read().split(bytes(1)):
    c=d.decode(E,P)
    if len(c)<2 and (c=='' or ord(c)<256):
        R.append(2)
    else:
        R.append(int(N(c) is not c))
for k in range(257):
    c=chr(k) if k<256 else ''
    R.append(int(M(c)[0]&127 in (90,65,116)))
S.stdout.buffer.write(bytes(R))
`

func TestInChroot(t *testing.T) { pythons.RunInChroot(t) }

// TestStartupSetAgainstInterpreters asks each CPython 3.13 on the machine
// (3.13.0 on the host, 3.13.18 in the chroot) about every member of its
// release's set and about identifiers of its stdlib that are not members:
// members must be interned in a fresh reference process, the others not.
func TestStartupSetAgainstInterpreters(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 here")
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			set, err := StartupInterned(py.Version)
			if err != nil {
				t.Fatal(err)
			}
			ss := set.(*startupSet)
			members := []string(ss.set)
			// Non-members: names that certainly occur in sources.
			others := []string{"cmp_to_key.<locals>.K2", "zz_not_interned_q", "ftplib", "frobnicate", "glöbals", "__qualname__x"}
			cands := append(append([]string(nil), members...), others...)
			cmd := py.Command(context.Background(), "-S", "-s", "-c", probeScript)
			cmd.Stdin = strings.NewReader(strings.Join(cands, "\x00"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if len(out) != len(cands)+257 {
				t.Fatalf("%d answers for %d candidates", len(out), len(cands))
			}
			for k, a := range out[len(cands):] {
				if (a == 1) != ss.single[k] {
					t.Errorf("one-character str %d: interned %v, set says %v", k, a == 1, ss.single[k])
				}
			}
			bad := 0
			for i, c := range cands {
				want := i < len(members)
				if (out[i] == 1) != want {
					if bad++; bad < 20 {
						t.Errorf("%q: interned %v, set says %v", c, out[i] == 1, want)
					}
				}
			}
			t.Logf("%s: %d members checked, %d differences", py.Version, len(members), bad)
		})
	}
}

func TestStartupInternedReleases(t *testing.T) {
	if _, err := StartupInterned("3.13.0"); err != nil {
		t.Error(err)
	}
	// A release between two measured ones uses the older one's set.
	a, err := StartupInterned("3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := StartupInterned("3.13.0")
	if a != b {
		t.Error("3.13.5 does not use 3.13.0's set")
	}
	if _, err := StartupInterned("3.12.1"); err == nil {
		t.Error("3.12.1 has a set")
	}
	if _, err := StartupInterned("3.14.0"); err == nil {
		t.Error("3.14.0 has a set")
	}
}

// TestStartupSetsPinned pins the generated sets to what the generator
// wrote when it was run on each release (regenerating them must give the
// same members): their size, the SHA-256 of their members joined with
// newlines (the encoding the files used before they held string literals;
// these are those decoded sets without the interpreter's own module file
// names, see the generator's installedFile), some members and non-members,
// and the one-character strs. It also checks that the members are sorted
// and distinct, as the binary search and the index need, and that none is
// an installed module's file name.
func TestStartupSetsPinned(t *testing.T) {
	for _, c := range []struct {
		release string
		n       int
		sha256  string
	}{
		{"3.13.0", 5770, "3702e03ca7df79346646bfadad0e896a5f788e85a2ffea65b4803ead436e9da4"},
		{"3.13.18", 5879, "29ab6ca2e4f9254976d19b33abe4ddc3b71a3e21f41952450a03ef2faae49b3d"},
	} {
		s := startupSets[c.release]
		if s == nil {
			t.Fatalf("no set for %s", c.release)
		}
		if len(s.set) != c.n {
			t.Errorf("%s: %d members, want %d", c.release, len(s.set), c.n)
		}
		for i := 1; i < len(s.set); i++ {
			if s.set[i-1] >= s.set[i] {
				t.Fatalf("%s: members %q and %q out of order", c.release, s.set[i-1], s.set[i])
			}
		}
		sum := sha256.Sum256([]byte(strings.Join(s.set, "\n")))
		if got := hex.EncodeToString(sum[:]); got != c.sha256 {
			t.Errorf("%s: members hash to %s, want %s", c.release, got, c.sha256)
		}
		in, err := StartupInterned(c.release)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"__name__", "__init__", "append", "self", "<module>", "__annotations__"} {
			if !in.Has(v) {
				t.Errorf("%s: %q is not a member", c.release, v)
			}
		}
		for _, v := range []string{"frobnicate", "zz_not_interned_q", "glöbals"} {
			if in.Has(v) {
				t.Errorf("%s: %q is a member", c.release, v)
			}
		}
		for _, v := range s.set {
			if !in.Has(v) {
				t.Fatalf("%s: index misses %q", c.release, v)
			}
			if strings.HasPrefix(v, "/") && strings.HasSuffix(v, ".py") {
				t.Errorf("%s: %q, an installed module's file name, is a member", c.release, v)
			}
		}
		for k := range s.single {
			if !s.single[k] {
				t.Errorf("%s: one-character str %d not interned", c.release, k)
			}
		}
	}
}
