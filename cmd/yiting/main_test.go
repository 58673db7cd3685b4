package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"yiting/queue/queuetest"
)

// TestMain lets a test start this test binary as the real yiting
// process: with YITING_TEST_MAIN=1 it runs main's dispatch on the
// arguments after "--" instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("YITING_TEST_MAIN") == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		main2(args)
		return
	}
	os.Exit(m.Run())
}

// main2 is main with explicit arguments.
func main2(args []string) {
	os.Args = append([]string{"yiting"}, args...)
	main()
}

// process is a yiting process under test.
type process struct {
	cmd  *exec.Cmd
	url  string
	pin  string // the TLS certificate's pin a hall server printed
	done chan struct{}
	out  queuetest.Buffer // its stderr, written while the test reads it
}

// startServer starts yiting as a child process and waits until it serves.
func startServer(t testing.TB, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--"}, args...)...)
	cmd.Env = append(append(os.Environ(), "YITING_TEST_MAIN=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &process{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	pins := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "yiting: serving "); ok {
				urls <- u
			}
			if line, ok := strings.CutPrefix(sc.Text(), "tls: "); ok {
				if i := strings.LastIndex(line, "pin "); i >= 0 {
					pins <- line[i+len("pin "):]
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { cmd.Wait(); close(s.done) }()
	select {
	case s.url = <-urls:
		select {
		case s.pin = <-pins: // a hall server prints it before its URL
		default:
		}
	case <-s.done:
		t.Fatalf("yiting exited before serving: %s", s.out.String())
	case <-time.After(60 * time.Second): // generous: a loaded machine runs the race-built child slowly
		cmd.Process.Kill()
		t.Fatalf("yiting did not start in 60 s: %s", s.out.String())
	}
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *process) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// stop sends SIGTERM and waits for a clean exit.
func (s *process) stop(t testing.TB) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("yiting did not stop on SIGTERM within 15 s")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("yiting exited %d after SIGTERM: %s", code, s.out.String())
	}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
