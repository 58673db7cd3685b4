// Package county links a hall to its county centre over NATS JetStream
// (docs/architecture.md, "Beyond one hall"): each site runs an embedded
// NATS server with its own JetStream domain, dialling out to the county
// hub as a leaf node, and copies its committed events, in order, into its
// own stream; the hub's stream sources every site's. The bbolt event log
// stays the truth: the copy resumes from the last event the stream holds,
// and every message carries the site and the event's sequence as its id,
// so a restart or a retry never doubles one. The events carry masked
// names and keyed hashes only; a full view of personal data stays a
// site-local, audited act.
//
// No home-made replication: a cut-off township keeps writing to its own
// stream, and JetStream's sourcing brings the backlog to the hub when the
// line comes back.
//
// # The county stream
//
// The hub's stream COUNTY (CountyStream, in the hub's JetStream domain
// "county"; read it through HubServer.Conn) holds every registered
// site's events:
//
//   - subject "yiting.<site>.events" (Subject): the site is the subject's
//     second token, and the hub, not the site, sets it — every message a
//     site's stream delivers is stored under that site's subject;
//   - data: the event as JSON (queue.Event);
//   - header "Yiting-Seq" (SeqHeader): the event's sequence in the site's
//     own log, equal to the event's Seq; the site's "Nats-Msg-Id"
//     ("<site>-<seq>") and the hub's "Nats-Stream-Source" come along and
//     mean nothing to a reader;
//   - per site, in the order of the site's log, each event once: 1, 2, 3…
//     with no gap, unless the site's stream dropped its oldest messages
//     after more than its limit (1 GiB) piled up while cut off. Sites
//     interleave in the order their messages reached the hub.
//
// A reader (the hub's read model) consumes COUNTY with a durable
// consumer in stream order, takes the site from the subject and skips
// subjects that are not "yiting.<site>.events" (a site that misbehaves
// can put other subjects in; it can never put another site's), and keeps,
// per site, the last Yiting-Seq it applied: a message at or below it is a
// redelivery, one above it by more than one is a gap to report.
//
// # Commands and refusals
//
// The county's commands about a site's cases (Command: 交办, 督办, 预警, a
// rating, 县级办结 of a case the site reported up) go down through the
// hub's outbox into the site's stream COMMANDS, and the site applies each
// once (Apply). What it did comes back up as the case's steps under the
// command's actor "county:<id>"; a command it cannot apply (no such case,
// a unit it does not have, a closed case, a conclusion of a case it did
// not report up) comes back up as an event of its own log,
// "county.command_refused" (queue.Refusal: the command's id, kind, case
// and the reason in Chinese), in the same stream as every other event.
//
// # Identity
//
// A site logs in to the hub with its own NATS nkey (Credentials, made by
// the hub's admin and shown once; the hub keeps the public key) over TLS
// to the hub's certificate, which the site pins. Its link may publish only
// "yiting.<site>.>" (its deliveries to the county stream go under
// "yiting.<site>.deliver") and answers to the hub's requests, and may
// receive only "yiting.<site>.>" (its commands will be
// "yiting.<site>.commands.>") and its own domain's JetStream API: see
// sitePermissions. The hub's admin adds and removes sites while the hub
// runs (Registry): the hub's server reloads its keys and the county
// stream's sources at once, so a new site links without a restart and a
// removed one's link is closed.
package county
