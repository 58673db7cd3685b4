package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// The load tool's -procs is the server's GOMAXPROCS (the Pi-class
// profile runs it on one core): the server's own runtime reports it on
// /metrics. NumCPU+1 differs from the default on any machine.
func TestLoadServerProcs(t *testing.T) {
	t.Setenv("YITING_TEST_MAIN", "1") // the child is this test binary, as yiting
	for _, procs := range []int{1, runtime.NumCPU() + 1} {
		srv, err := startChild(context.Background(), loadHall(2), "", randomHex(12), procs)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.url + "/metrics")
		if err != nil {
			srv.stop()
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.stop()
		if want := fmt.Sprintf("\ngo_sched_gomaxprocs_threads %d\n", procs); !strings.Contains(string(b), want) {
			t.Errorf("-procs %d: the server's /metrics lacks %q", procs, strings.TrimSpace(want))
		}
	}
}

func TestLoadProcsNeedsItsOwnServer(t *testing.T) {
	err := runLoad(context.Background(), []string{"-url", "http://127.0.0.1:1", "-procs", "1"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-procs") || !strings.Contains(err.Error(), "-url") {
		t.Errorf("-procs with -url: %v, want an error saying they do not go together", err)
	}
}
