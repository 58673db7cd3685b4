package main

import (
	"context"
	"errors"
	"io"
)

// runPrinter is the installer's printer check (issue 4).
func runPrinter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("printer: not built yet")
}
