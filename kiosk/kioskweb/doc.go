// Package kioskweb is the kiosk's touchscreen page, served at /kiosk by
// the process that runs the kiosk loop: 1080×1920 portrait, Chinese, very
// large buttons grouped as the hall is, driven live over Server-Sent Events
// by the loop's views (kiosk.View) and sending the visitor's choices back
// with POST. Everything is embedded (no CDN: the hall has no internet).
//
// Routes, under the prefix (default /kiosk):
//
//	GET  /kiosk              the page
//	GET  /kiosk/static/…     its CSS and JavaScript
//	GET  /kiosk/state        the current view (JSON), also for staff tools
//	GET  /kiosk/events       the views as SSE ("event: view", id = the view's seq)
//	POST /kiosk/choose       {"service": "petition"}
//	POST /kiosk/back         返回
//	POST /kiosk/group        {"service": "petition"}: 多人来访（集体访）
//	POST /kiosk/finish       完成: one ticket for the representatives' cards
//
// In demo mode (a simulated reader and printer) also:
//
//	GET  /kiosk/demo/cards       the synthetic cards
//	POST /kiosk/demo/place       {"card": "resident"}: put a card on the reader
//	POST /kiosk/demo/remove      lift it
//	GET  /kiosk/demo/ticket.png  the last ticket the simulated printer printed
//	GET  /kiosk/demo/ticket.json its text lines and QR payloads
//
// POST requests are accepted from the kiosk itself (loopback) only, unless
// Opts.AllowRemote: the page runs in the kiosk's own browser, and nobody
// elsewhere on the hall's network should press its buttons.
package kioskweb
