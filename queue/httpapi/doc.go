// Package httpapi is the hall server's HTTP API, JSON only: JSON over HTTP under
// /api/v1 for kiosks on other Pis, staff consoles, display boards and
// evaluation pads, a Server-Sent Events stream of the engine's events,
// /healthz and Prometheus /metrics. It adapts queue.Engine to HTTP and
// adds nothing to the rules: the engine checks permissions and states and
// answers with *queue.Error codes, which map to HTTP statuses in one table
// (errors.go).
//
// The contract is openapi.json in this directory, served at
// /api/v1/openapi.json; a test keeps it and the registered routes equal.
//
// # Credentials
//
// Every endpoint needs a principal except POST /api/v1/login, GET
// /healthz and GET /api/v1/openapi.json. A request carries its secret as
//
//   - Authorization: Bearer <secret> — devices (kiosk, display, pad
//     tokens) and API clients;
//   - the yiting_session cookie set by POST /api/v1/login (HttpOnly,
//     SameSite=Strict) — the browser pages;
//   - ?token=<secret> on GET /api/v1/events only, because a browser's
//     EventSource cannot set headers. A query string can end up in a proxy
//     log; this package never logs it, and a display board should use a
//     display token, which can do nothing but read.
//
// State-changing requests from browsers are also checked with
// http.CrossOriginProtection (Sec-Fetch-Site / Origin against Host).
//
// # The event stream
//
// GET /api/v1/events may be read by any valid principal (queue.Principal
// CanWatch); in practice a display token. It carries ticket numbers,
// counters and masked names only: the visitor's keyed hash never leaves
// the server through this API, and device principals (display, pad,
// kiosk) also get events without the clerks' free-text reasons and notes.
// A client resumes with Last-Event-ID (or ?after=<seq>) and gets every
// event it missed, read from the engine's Feed, which falls back to the
// store's event log; without either it starts from now, so a page should
// read GET /api/v1/queue first and open the stream with
// ?after=<last_event> to miss nothing in between. A client too far behind
// (Options.MaxReplay) gets a "reset" event and should reload the state
// rather than replay yesterday's calls. A board that reloads reads
// GET /api/v1/calls for today's latest calls (numbers and counters only)
// to show them again.
//
// # 查询进度 at a kiosk
//
// POST /api/v1/kiosk/inquiry is for a visitor who lost the ticket: a
// kiosk sends the ID number read from the card (the visitor's open
// cases) or a case code with the last four characters of a party's ID
// number (a code alone is guessable, the QR token is not). The answer is
// the public inquiry page's view without the visitor's messages; a
// device's inquiries count against its card taps.
//
// # Appointments
//
// /api/v1/appointments… is the appointment diary (queue/booking), for the
// hall's people only, never a device, except POST
// /api/v1/appointments/arrive:
//
//   - plans and slots (GET /appointments/plans, /appointments/slots):
//     staff, supervisors, admins — when and how much can be booked, and
//     which of a plan's values the page set over the hall file's;
//   - managing the plans (POST /appointments/plans, PUT and DELETE
//     /appointments/plans/{plan}, …/restore, …/close, …/reopen): admins
//     and supervisors only — a plan's days, hours, slot length, capacity
//     and walk-in places, a day closed with its reason or reopened, a
//     plan added, removed or restored; each a booking.* event of the plan
//     with what changed, in effect at once; a change that would strand
//     bookings is 409 with how many and which slots;
//   - bookings (GET /appointments?day=, GET /appointments/{id}, and
//     cancel and move): supervisors every one, staff those of their
//     counters or their counters' services and those they made; admins
//     none (they manage accounts, not visitors). Parties are masked;
//   - booking (POST /appointments, Idempotency-Key): staff and
//     supervisors, for a visitor at the desk or on the phone, or a session
//     for a case they handle with all its parties (opened through the case
//     book, audited). Only this answer holds the booking codes, to be told
//     to the visitors; a full slot is 409 with code "full";
//   - check-in (POST /appointments/arrive, Idempotency-Key): kiosks and
//     staff, with the card read or the code typed; the answer is the
//     appointment ticket (201) or what to tell a visitor who is early or
//     late (200). A device sees the booking without its parties, and one
//     that keeps failing look-ups gets 429.
//
// Visitors book, look up, move and cancel their own bookings on the public
// pages (queue/web: /book, and from their case's page), by their code and
// behind a per-address limit: there is no public JSON route to enumerate.
// booking.* events reach supervisors and the staff who work the booking.
//
// One principal holds at most Options.MaxStreams streams; a new one over
// it closes that principal's oldest (the one most likely dead: a board
// reconnecting after a power cut) rather than being refused. Over HTTP/1
// the stream takes its connection from net/http (hijacks it) and the
// answer ends with the connection: an idle stream then costs about a
// third of the memory (BenchmarkIdleStreams).
//
// # Limits on connections and slow clients
//
// Limits (limits.go) wrap the whole server, pages included: at most
// MaxConns connections (event streams included; one more is answered 503
// unavailable and closed), request headers within ReadHeaderTimeout, and
// a body within BodyTimeout plus a second for every MinBodyRate bytes
// (then 408 request_timeout). They are per request: no server-wide
// ReadTimeout or WriteTimeout, which would cut the long-lived streams.
//
// # Holiday files
//
// POST /api/v1/holidays takes a year's holiday file from an admin (the
// /admin page sends it): the State Council's arrangement in the format of
// queue/cases/holidays/*.toml. The case book checks it as start-up would,
// keeps it in the data directory (holidays/YYYY.toml, read at every start
// after the built-in files and /etc/yiting/holidays), counts working days
// with it at once, and moves every running deadline it changes, each case
// with a step naming the old and the new day (cases.Book.SetHolidayFile).
// GET /api/v1/case-rules names the years the running deadlines touch that
// still have no file.
//
// # The county
//
// POST /api/v1/cases/{code}/report-up reports a case up to the county
// centre (上报, issue 14) on a hall that is a site of a county network:
// supervisors only, with a reason, which goes up with the parties'
// identifiers masked. The county owns the case from then on, until it
// assigns it back down or concludes it: the book refuses the site's
// routing, extension, conclusion and closing of it (403). A county
// command the hall could not apply is an event (county.command_refused,
// its reason in Chinese) that goes up to the county with the others; on
// the event stream it reaches supervisors and admins only.
//
// # Metrics
//
// GET /metrics is open to the Pi itself (a loopback peer with no
// forwarding headers: the local Prometheus agent or node exporter) and
// otherwise needs an admin or supervisor principal. The series carry no
// personal data: request counts and latencies by route, tickets issued
// through the API and waiting tickets by service, connected SSE clients.
package httpapi
