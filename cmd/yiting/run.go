package main

import (
	"context"
	"errors"
	"io"
)

// run starts the hall (issue 2).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
