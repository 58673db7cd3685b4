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
package county
