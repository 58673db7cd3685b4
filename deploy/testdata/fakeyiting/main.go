// Command fakeyiting stands in for yiting in the upgrade tests: it answers
// -version, and as a server it behaves as its stamped mode says.
//
//	go build -ldflags "-X main.version=v2 -X main.mode=ok -X main.schema=2" ./deploy/testdata/fakeyiting
//
// Modes: ok (serves /healthz 200 with its version), exit1 (exits 1 at
// start), unhealthy (serves /healthz 503 forever), noversion (fails
// -version too, like a binary for another architecture), migrate-exit1
// (writes its schema into the database, then exits 1).
//
// The "database" is DATA/yiting.db holding "schema=N". A server refuses a
// database with a schema newer than its own, as yiting does.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

var (
	version = "dev"
	mode    = "ok"
	schema  = "1"
)

func main() {
	showVersion := flag.Bool("version", false, "print the version")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	data := flag.String("data", ".", "data directory")
	flag.Parse()
	if *showVersion {
		if mode == "noversion" {
			fmt.Fprintln(os.Stderr, "cannot execute binary file: Exec format error")
			os.Exit(126)
		}
		fmt.Println("yiting", version)
		return
	}
	if err := serve(*addr, *data); err != nil {
		fmt.Fprintln(os.Stderr, "fakeyiting:", err)
		os.Exit(1)
	}
}

func serve(addr, data string) error {
	mine, _ := strconv.Atoi(schema)
	db := filepath.Join(data, "yiting.db")
	b, err := os.ReadFile(db)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if have, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "schema="); ok {
		if n, _ := strconv.Atoi(have); n > mine {
			return fmt.Errorf("the database has schema %d, newer than this program's %d", n, mine)
		}
	}
	switch mode {
	case "exit1":
		return fmt.Errorf("%s: broken on purpose", version)
	case "migrate-exit1":
		if err := os.WriteFile(db, []byte("schema="+schema+"\n"), 0o600); err != nil {
			return err
		}
		return fmt.Errorf("%s: migrated, then broke", version)
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if mode == "unhealthy" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"status":"unavailable","version":%q}`, version)
			return
		}
		fmt.Fprintf(w, `{"status":"ok","version":%q}`, version)
	})
	return http.ListenAndServe(addr, nil)
}
