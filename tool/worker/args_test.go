package worker

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitFlagFiles(t *testing.T) {
	tests := []struct {
		args              []string
		startup, flagFile []string
	}{
		{[]string{"--python", "/usr/bin/python3", "@bazel-out/x.params"}, []string{"--python", "/usr/bin/python3"}, []string{"@bazel-out/x.params"}},
		{[]string{"--flagfile=a", "-flagfile=b", "--persistent_worker"}, []string{"--persistent_worker"}, []string{"--flagfile=a", "-flagfile=b"}},
		{[]string{"@", "--flagfile=", "x"}, []string{"@", "--flagfile=", "x"}, nil},
	}
	for _, tt := range tests {
		s, f := SplitFlagFiles(tt.args)
		if fmt.Sprint(s) != fmt.Sprint(tt.startup) || fmt.Sprint(f) != fmt.Sprint(tt.flagFile) {
			t.Errorf("SplitFlagFiles(%q) = %q, %q; want %q, %q", tt.args, s, f, tt.startup, tt.flagFile)
		}
	}
}

func TestExpandArgs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.params", "--src\npkg/a.py\n@nested.params\n--pyc\n")
	write("nested.params", "x y\r\n'quoted'\r\n")
	write("flags", "--flag\n@not-expanded\n")
	write("self.params", "@self.params\n")
	write("empty", "")
	tests := []struct {
		name    string
		args    []string
		atFiles bool
		want    []string
		wantErr string
	}{
		{"one-shot @file, nested", []string{"@a.params"}, true, []string{"--src", "pkg/a.py", "x y", "'quoted'", "--pyc"}, ""},
		{"persistent leaves @file", []string{"@a.params"}, false, []string{"@a.params"}, ""},
		{"flagfile, not recursive", []string{"--flagfile=flags", "-flagfile=empty"}, false, []string{"--flag", "@not-expanded"}, ""},
		{"@@ and labels stay", []string{"@@x", "@repo//pkg:t", "@nested.params"}, true, []string{"@@x", "@repo//pkg:t", "x y", "'quoted'"}, ""},
		{"missing file", []string{"@missing"}, true, nil, "expand @missing"},
		{"self reference", []string{"@self.params"}, true, nil, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandArgs(tt.args, dir, tt.atFiles)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("expandArgs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunOnce(t *testing.T) {
	dir := t.TempDir()
	params := filepath.Join(dir, "x.params")
	if err := os.WriteFile(params, []byte("--src\na.py\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := func(ctx context.Context, req *Request) Result {
		return Result{ExitCode: 2, Output: fmt.Sprintf("args %q\n", req.Arguments)}
	}
	var stderr bytes.Buffer
	if code := RunOnce(context.Background(), []string{"@" + params}, h, &stderr); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if got := stderr.String(); got != `args ["--src" "a.py"]`+"\n" {
		t.Errorf("stderr = %q", got)
	}

	stderr.Reset()
	if code := RunOnce(context.Background(), []string{"@" + filepath.Join(dir, "missing")}, h, &stderr); code != 1 || !strings.Contains(stderr.String(), "missing") {
		t.Errorf("missing param file: exit code %d, stderr %q", code, stderr.String())
	}

	stderr.Reset()
	out := filepath.Join(dir, "out.pyc")
	ctx, cancel := context.WithCancel(context.Background())
	code := RunOnce(ctx, []string{"@" + params}, func(ctx context.Context, req *Request) Result {
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Error(err)
		}
		cancel()
		return Result{Outputs: []string{out}}
	}, &stderr)
	if _, err := os.Stat(out); code != 1 || !os.IsNotExist(err) {
		t.Errorf("interrupted run: exit code %d, output stat %v", code, err)
	}

	stderr.Reset()
	if code := RunOnce(context.Background(), nil, func(ctx context.Context, req *Request) Result { panic("kaput") }, &stderr); code != 1 || !strings.Contains(stderr.String(), "kaput") {
		t.Errorf("panicking handler: exit code %d, stderr %q", code, stderr.String())
	}
}
