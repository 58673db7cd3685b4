package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	hallconfig "yiting/firmware-config"
)

// startKiosk starts the in-process kiosk loop (reader, printer, buttons)
// and mounts its touchscreen page on mux. The returned stop function ends
// the loop and waits for it.
func startKiosk(ctx context.Context, mux *http.ServeMux, h *hall) (stop func(), err error) {
	return func() {}, nil
}

// runKioskRole runs only the kiosk loop, issuing through a hall server's
// API (-role kiosk -server URL -token TOKEN).
func runKioskRole(ctx context.Context, o *options, cfg *hallconfig.Config, log *slog.Logger, stdout io.Writer) error {
	return errors.New("-role kiosk: not built yet")
}
