// Package queue is the domain of the yiting hall: services, counters,
// tickets and their lifecycle, the numbering and call-next rules, the
// events every change produces, and the interfaces the domain needs from
// its adapters (storage, clock). It imports the standard library only;
// bbolt, gin and the devices live in packages around it.
//
// The rules come from docs/domain.md (calling conventions, priority by
// law) and docs/peers.md (what queue users keep asking for: fairness
// between priority and normal tickets, calling a ticket out of order,
// no two counters calling the same visitor).
package queue
