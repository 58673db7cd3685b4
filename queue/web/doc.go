// Package web serves the hall's pages: the display board (/board) with
// its spoken announcements, the counter console (/console, with the
// service desk) and its login (/login), the evaluation pad (/pad), the
// supervisor dashboard (/dashboard, with CSV export, and /dashboard/cases:
// overdue and supervised cases, cases due soon, open rectifications of bad
// ratings, the year's indicators and the case exports, read from the
// CaseBook it is given), the admin pages (/admin) and the public inquiry
// page of a case (/c/{token}) that a ticket's QR code opens. Everything
// that is not JSON is served here; queue/httpapi is the JSON API.
//
// The pages are server-rendered HTML with a little plain JavaScript,
// embedded in the binary (no CDN, no build step: the Pi and the hall have
// no internet), Chinese first, large type and high contrast
// (docs/architecture.md, "Pages"). Live pages read the JSON API of
// queue/httpapi and its Server-Sent Events stream from the browser; this
// package does not import that adapter, nor the store: the dashboard reads
// past tickets through the TicketSource it is given.
//
// # What the pages promise
//
// The board never needs F5 (peers.md: stale boards, NovoSGA #318, #530):
// it resumes its event stream with Last-Event-ID, reloads the state on a
// "reset" event, checks every minute that it has not fallen behind the
// server, and reloads itself when the server's version changes. Calls are
// announced one at a time from a single audio element and a JavaScript
// queue (peers.md: announcements that overlap): a chime, then the sentence
// "请A012号到3号窗口办理" repeated (?repeat=, default 2). The sentence is
// spoken by the server's Synthesizer — espeak-ng's cmn-latn-pinyin voice
// reading pinyin assembled from a table of letters and digits and the
// counter's configured pinyin (platform-notes.md) — or, when there is
// none, by the browser's speechSynthesis.
//
// The console shows the server's answers only: two clerks never see the
// same visitor because the engine never gives them the same ticket, and
// the page never guesses. The pad asks for a rating when its counter
// completes a ticket, never forces one, and the engine keeps it to once
// per ticket within queue.RateWindow.
//
// # Credentials
//
// Staff pages use the session cookie that POST /api/v1/login sets. The
// board and the pad use a device token given once as ?token= in the URL
// an admin copies from /admin; the page keeps it in localStorage, removes
// it from the address bar, and sends it as a Bearer header (and as
// ?token= on the event stream, which cannot send headers). A staff
// session works on them too.
package web
