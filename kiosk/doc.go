// Package kiosk is the visitor's path at the kiosk: the state machine that
// turns a service chosen on the touchscreen (or a GPIO button) and an ID
// card tapped on the reader into an issued, printed queue ticket
// (docs/architecture.md, "The data's way through the house", steps 1–4).
//
// A Loop runs the machine:
//
//	idle ─choose─▶ wait_card ─card─▶ (reading) ─▶ issuing ─▶ printing ─▶ ticket ─▶ idle
//	idle ─card──▶ choose ─choose─▶ issuing ─▶ …             (card first)
//	idle ─choose a service that needs no card─▶ issuing ─▶ …
//	idle or wait_card ─多人来访─▶ group ─cards (≤ 5)…─▶ 完成 ─▶ issuing ─▶ …
//
// A group visit (集体访, 信访工作条例 Art. 20) is offered for a service that
// opens a case and reads cards: up to MaxRepresentatives cards, tapped one
// after another, give one ticket and one case with every card a party.
//
// Every step has a way back to idle (返回, or a timeout) and every failure
// a Chinese message: an unreadable or expired card, a reader that is
// offline, a printer out of paper (the ticket stays issued and is shown on
// screen; the spool prints it when the printer is fixed), a hall server
// that cannot be reached (the loop retries with the same idempotency key,
// so one tap never yields two tickets).
//
// The loop takes its tickets from the desk (the Desk interface): package
// kiosk/local calls the hall server's desk in-process, package
// kiosk/hallclient over its HTTP API; either way the server seals the
// cards, routes, registers the case and numbers the ticket in one
// transaction, and the kiosk keeps no key and no personal data. This package imports neither the HTTP adapter
// nor the store (a test enforces it). The card protocol (GA/T 467) is
// package kiosk/idcard; the ticket layout and ESC/POS are package printer.
//
// A visitor without an ID card is helped at the service desk: staff issue
// the ticket from the console's service desk (the same desk); the kiosk
// says so (NoCardHelp).
package kiosk
