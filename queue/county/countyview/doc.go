// Package countyview is the county hub's read model (issue 14, item 2;
// docs/architecture.md, "Beyond one hall"): every site's committed events,
// as the hub's stream COUNTY sources them from the sites' streams
// (queue/county), folded into one bbolt file — each site's link (the last
// event seen, events received, gaps, duplicates), its tickets by business
// day, and all cases of all sites with their stage, unit, deadlines and
// facts (queue.CaseFacts) and their timeline as reported.
//
// # Exactly once
//
// The consumer (Run) reads COUNTY through an ordered consumer from the
// stream sequence after the last one the file holds; each batch of
// messages is applied in one bbolt transaction together with that stream
// sequence and each site's last event sequence, fsynced before the next
// batch is read. A crash at any point leaves the file at the end of a
// whole batch, and the next start goes on from there: no event is lost,
// none applied twice. A site's events arrive in increasing order; one at
// or below the site's last is a duplicate and skipped (counted); one past
// the next leaves a gap (recorded: a site's stream that overflowed while
// the township was cut off), never a stall. A message that is not an
// event of a site (a bad subject, header or body) is counted and skipped.
//
// # What it answers
//
// Sites (the county's view of every site), a site's tickets of a day
// (the hall's own statistics, queue.StatsBuilder), open and overdue cases
// across sites (Cases; those reported up and waiting for the county,
// 上报, filtered and counted), a case with its timeline (Case), the
// commands the county sent about it with what the site did — applied, or
// refused and why (Commands) — and the
// townships' and units' assessment (Assess) with the definitions of
// queue/cases (cases.Assess, cases.RankUnits) and the window ratings of
// queue (queue.RatingStats). Time comes from an injected clock; "overdue"
// is the hall's own rule (cases.Facts.Pending, a due day ended in the
// county's zone).
//
// # Privacy
//
// Events carry masked names and keyed hashes only (queue/county); the
// model keeps less: a ticket loses its visitor (masked name and keyed
// hash) and its clerk's note before it is stored, and a case's facts carry
// no personal data by construction (queue.CaseFacts).
package countyview
