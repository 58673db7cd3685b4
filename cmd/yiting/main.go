// Command yiting runs the reception hall of a county 综治中心: the hall
// server (queue engine, bbolt state, HTTP API and pages) and, by default,
// the kiosk loop with its card reader and ticket printer.
//
// Subcommands for the installer:
//
//	yiting idcard  -port /dev/ttyUSB0   check the ID card reader
//	yiting printer -port /dev/ttyUSB1   check the ticket printer
//	yiting load                        measure throughput and latency on loopback
//	yiting county-load                 measure the county network: a backlog, live latency, the hub's memory
//	yiting backup / yiting restore     copy the database; put a copy back (deploy/README.md)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "yiting:", err)
		os.Exit(1)
	}
}

// dispatch picks the subcommand; with none it runs the hall.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "idcard":
			return runIDCard(ctx, args[1:], stdout, stderr)
		case "printer":
			return runPrinter(ctx, args[1:], stdout, stderr)
		case "load":
			return runLoad(ctx, args[1:], stdout, stderr)
		case "county-load":
			return runCountyLoad(ctx, args[1:], stdout, stderr)
		case "backup":
			return runBackup(ctx, args[1:], stdout, stderr)
		case "restore":
			return runRestore(ctx, args[1:], stdout, stderr)
		}
	}
	return run(ctx, args, stdout, stderr)
}
