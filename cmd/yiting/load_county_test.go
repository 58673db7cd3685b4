package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"testing"
)

// The county load tool runs end to end on a small county and reports
// each of issue 14's figures with a number: the backlog's rate, the live
// latency's percentiles, the hub's memory after each busy day. (What the
// numbers are is the tool's output, not the test's business.)
func TestCountyLoadReports(t *testing.T) {
	if testing.Short() {
		t.Skip("the hub's retry of a site's source after its line returns takes up to a minute")
	}
	t.Setenv("YITING_TEST_MAIN", "1") // the hub is this test binary, as yiting
	var out bytes.Buffer
	err := runCountyLoad(context.Background(), []string{"-sites", "2", "-backlog", "400", "-live", "2s", "-rate", "5",
		"-days", "2", "-day-events", "200", "-settle", "1s"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, row := range []string{
		`\| a week's backlog \(400 events\) from the site's stream to the hub's read model, from the line's return \| \d+ events/s`,
		`\| live: an event from its commit at a site to the hub's read model, 2 sites at 5 events/s each \(\d+ events, 2s\) \| p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms`,
		`\| hub resident memory after busy day 2 \(\d+ events held\), 5 s after \| \d+ MB \(anonymous \d+, file \d+; live heap \d+\)`,
		`\| hub resident memory after the busy days and 1s idle \| \d+ MB`,
		`\| a site removed on the running hub: its link closed after; the other 1 sites' next event in the read model after \| \d+ ms; [\d.]+ s`,
		`\| hub resident memory, peak over the run \(all / anonymous\) \| \d+ MB / \d+ MB`,
	} {
		if !regexp.MustCompile(row).MatchString(out.String()) {
			t.Errorf("the report lacks %s:\n%s", row, out.String())
		}
	}
}
