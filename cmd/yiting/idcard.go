package main

import (
	"context"
	"errors"
	"io"
)

// runIDCard is the installer's reader check (issue 3).
func runIDCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("idcard: not built yet")
}
