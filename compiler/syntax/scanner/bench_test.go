package scanner_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/scanner"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// benchSources decodes every .py file of the standard library of a CPython
// 3.13 of the host (skipping the benchmark when there is none).
func benchSources(b *testing.B) ([]*source.Source, int64) {
	b.Helper()
	var in *pythons.Interpreter
	for _, i := range pythons.Find(b) {
		if i.Major == 3 && i.Minor == 13 {
			i := i
			in = &i
		}
	}
	if in == nil {
		b.Skip("no CPython 3.13 on the host: no standard library to scan")
	}
	out, err := in.Command(context.Background(), "-S", "-s", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		b.Fatalf("%s: %v", in, err)
	}
	root := strings.TrimSpace(string(out))
	var srcs []*source.Source
	var size int64
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "site-packages" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".py") {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src, derr := source.Decode(raw, path, in.Release())
		if derr != nil {
			return nil
		}
		srcs = append(srcs, src)
		size += int64(len(src.Text))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return srcs, size
}

// BenchmarkStdlib scans every token of the 3.13 standard library (about
// 33 MB); the MB/s figure is the scanner's throughput.
func BenchmarkStdlib(b *testing.B) {
	srcs, size := benchSources(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	var tok token.Token
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			s := scanner.New(src, scanner.Options{Filename: "x.py"})
			for s.Next(&tok) == nil && tok.Kind != token.ENDMARKER {
			}
		}
	}
	cputime.Report(b, cpu, size, 0)
}

// BenchmarkStdlibDecode decodes every file of the 3.13 standard library
// (BOM, cookie, newlines, UTF-8 kept as it is).
func BenchmarkStdlibDecode(b *testing.B) {
	srcs, size := benchSources(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			if _, err := source.Decode(src.Raw, "x.py", src.Release()); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Report(b, cpu, size, 0)
}
