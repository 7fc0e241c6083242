// Command fakepython is an interpreter that misbehaves, for the fault
// tests of tests/faults.  A script that pyc is given as its interpreter runs
// it as
//
//	exec fakepython MODE N REAL "$0" "$@"
//
// It starts the real interpreter REAL with the same arguments and stands
// between it and pyc on stdin and stdout, passing the compile server's
// protocol through, with the fault MODE from request N+1 on (N counts the
// requests of this process):
//
//	pass          no fault
//	exit          read request N+1, then exit with status 3
//	exit-mid      read the first bytes of request N+1, then exit with status 0
//	garbage       answer request N+1 and every later one with a malformed answer
//	huge          answer request N+1 with a length of almost 4 GiB, then flood
//	close-stdout  close stdout when request N+1 arrives, and sleep
//	hang          stop answering at request N+1, and sleep
//	stderr-flood  write 100 MiB on stderr before answering request N+1
//	late-start    work in the first N processes started; sleep in the later
//	              ones before saying anything (the count is kept in a file
//	              beside the script)
//
// The server's first answer is passed on with the executable it names
// replaced by the script, so that pyc starts every server through it.  A
// run that is not the compile server (pyc's probe) runs REAL directly.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: fakepython MODE N REAL SELF ARGS...")
		os.Exit(2)
	}
	mode, real, self, args := os.Args[1], os.Args[3], os.Args[4], os.Args[5:]
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakepython: N:", err)
		os.Exit(2)
	}
	if !isServer(args) {
		if err := syscall.Exec(real, append([]string{real}, args...), os.Environ()); err != nil {
			fmt.Fprintln(os.Stderr, "fakepython:", err)
			os.Exit(2)
		}
	}
	if mode == "late-start" && starts(self) > n {
		sleep()
	}
	if err := proxy(mode, n, real, self, args); err != nil {
		fmt.Fprintln(os.Stderr, "fakepython:", err)
		os.Exit(1)
	}
}

// isServer reports whether args run pyc's compile server.
func isServer(args []string) bool {
	for i, a := range args {
		if a == "-c" && i+1 < len(args) {
			return strings.Contains(args[i+1], "def main(")
		}
	}
	return false
}

// starts counts this start in a file beside the script and returns how
// many there have been.
func starts(self string) int {
	f, err := os.OpenFile(self+".starts", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakepython:", err)
		os.Exit(2)
	}
	defer f.Close()
	if _, err := f.Write([]byte{'.'}); err != nil {
		fmt.Fprintln(os.Stderr, "fakepython:", err)
		os.Exit(2)
	}
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakepython:", err)
		os.Exit(2)
	}
	return int(st.Size())
}

func sleep() {
	time.Sleep(time.Hour)
	os.Exit(0)
}

func proxy(mode string, n int, real, self string, args []string) error {
	cmd := exec.Command(real, args...)
	cmd.Stderr = os.Stderr
	toReal, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	fromReal, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}

	// The first answer, with the executable replaced.
	hello, err := frame(fromReal)
	if err != nil {
		return fmt.Errorf("first answer: %w", err)
	}
	fields := bytes.Split(hello, []byte{0})
	fields[len(fields)-1] = []byte(self)
	if err := writeFrame(os.Stdout, bytes.Join(fields, []byte{0})); err != nil {
		return err
	}

	for k := 1; ; k++ {
		fault := k > n && mode != "pass" && mode != "late-start"
		header := make([]byte, 9)
		if _, err := io.ReadFull(os.Stdin, header); err != nil {
			toReal.Close()
			return cmd.Wait()
		}
		if fault {
			switch mode {
			case "exit-mid":
				os.Exit(0)
			case "close-stdout":
				os.Stdout.Close()
				sleep()
			}
		}
		body := make([]byte, int(binary.LittleEndian.Uint32(header[1:5]))+int(binary.LittleEndian.Uint32(header[5:9])))
		if _, err := io.ReadFull(os.Stdin, body); err != nil {
			return err
		}
		if fault {
			switch mode {
			case "exit":
				os.Exit(3)
			case "hang":
				sleep()
			case "garbage":
				if _, err := os.Stdout.Write([]byte("\x06\x00\x00\x00\x09hello")); err != nil {
					return err
				}
				continue
			case "huge":
				flood()
			case "stderr-flood":
				chunk := bytes.Repeat([]byte("warning: flooding stderr\n"), 40000) // 1 MB
				for range 100 {
					if _, err := os.Stderr.Write(chunk); err != nil {
						return err
					}
				}
			default:
				return fmt.Errorf("unknown mode %q", mode)
			}
		}
		if _, err := toReal.Write(append(header, body...)); err != nil {
			return err
		}
		answer, err := frame(fromReal)
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		if err := writeFrame(os.Stdout, answer); err != nil {
			return err
		}
	}
}

// flood announces an answer of almost 4 GiB and writes bytes until stdout
// fails.
func flood() {
	var size [4]byte
	binary.LittleEndian.PutUint32(size[:], 0xFFFFFFF0)
	os.Stdout.Write(size[:])
	chunk := bytes.Repeat([]byte{0}, 1<<16)
	for {
		if _, err := os.Stdout.Write(chunk); err != nil {
			os.Exit(0)
		}
	}
}

// frame reads one u32-length-prefixed frame.
func frame(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	data := make([]byte, binary.LittleEndian.Uint32(size[:]))
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	return data, nil
}

func writeFrame(w io.Writer, data []byte) error {
	var size [4]byte
	binary.LittleEndian.PutUint32(size[:], uint32(len(data)))
	_, err := w.Write(append(size[:], data...))
	return err
}
