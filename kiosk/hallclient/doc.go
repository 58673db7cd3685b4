// Package hallclient is the kiosk's view of the hall when the kiosk runs on
// another machine than the hall server (yiting -role kiosk): a kiosk.Hall
// over the server's HTTP API (queue/httpapi's openapi.json), authenticated
// with the kiosk's device token.
//
// Tickets are issued with POST /api/v1/tickets and the tap's
// Idempotency-Key, so the loop's retries after a lost answer or a server
// restart return the ticket of the first attempt, never a second one.
// Failures to reach the server (refused connection, reset, timeout, 5xx)
// wrap kiosk.ErrUnreachable; refusals (4xx) are *queue.Error with the
// server's code and message.
//
// The ticket API takes one visitor, so a remote kiosk offers no group
// visits (集体访): Client is not a kiosk.GroupHall, and a group registers
// at the service desk or on the hall server's own kiosk.
package hallclient
