package pythons

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChrooted checks each interpreter of the chroot against what it says
// when asked again through Command, and that Minor lists it.
func TestChrooted(t *testing.T) {
	found := Chrooted(t)
	if len(found) == 0 {
		t.Skip("no chroot interpreters (see the log)")
	}
	for _, in := range found {
		if in.Chroot == "" {
			t.Errorf("%s: no Chroot program", in)
		}
		out, err := in.Command(context.Background(), "-S", "-s", "-c",
			"import sys; print('%d.%d.%d' % sys.version_info[:3], sys.executable)").Output()
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := fmt.Sprintf("%d.%d.%d %s", in.Major, in.Minor, in.Micro, in.Path)
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s says %q, want %q", in, got, want)
		}
		var listed bool
		for _, m := range Minor(t, in.Major, in.Minor) {
			listed = listed || m == in
		}
		if !listed {
			t.Errorf("Minor(%d, %d) does not list %s", in.Major, in.Minor, in)
		}
	}
}

// TestStdlib checks that every 3.13's stdlib holds its own os.py, as the
// interpreter reads it, and no site-packages.
func TestStdlib(t *testing.T) {
	for _, in := range Minor(t, 3, 13) {
		t.Run(in.Version, func(t *testing.T) {
			s := in.Stdlib(t)
			t.Logf("%s: %d files under %s", in, len(s.Files), s.Root)
			for _, f := range s.Files {
				if strings.Contains("/"+f, "/site-packages/") || strings.Contains("/"+f, "/__pycache__/") {
					t.Errorf("%s: %s is listed", in, f)
				}
			}
			data, err := os.ReadFile(filepath.Join(s.Root, "os.py"))
			if err != nil {
				t.Fatal(err)
			}
			out, err := in.Command(context.Background(), "-S", "-s", "-c",
				"import os, sys; sys.stdout.buffer.write(open(os.__file__, 'rb').read())").Output()
			if err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			if !bytes.Equal(data, out) {
				t.Errorf("%s: os.py of the copy differs from the interpreter's (%d and %d bytes)", in, len(data), len(out))
			}
			if again := in.Stdlib(t); again.Root != s.Root {
				t.Errorf("second call: %s, first %s", again.Root, s.Root)
			}
		})
	}
}
