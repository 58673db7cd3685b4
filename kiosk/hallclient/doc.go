// Package hallclient is the kiosk's desk when the kiosk runs on another
// machine than the hall server (yiting -role kiosk): a kiosk.Desk over the
// server's HTTP API (queue/httpapi's openapi.json), authenticated with the
// kiosk's device token, over TLS to exactly the server the kiosk was
// paired with (its certificate's fingerprint, from the device URL).
//
// Tickets are issued with POST /api/v1/tickets — the same desk the
// in-process kiosk calls — with what the cards said and the tap's
// Idempotency-Key, so the loop's retries after a lost answer or a server
// restart return the ticket and case of the first attempt, never a second
// one. Failures to reach the server (refused connection, reset, timeout,
// 5xx) wrap kiosk.ErrUnreachable; refusals (4xx) are *queue.Error with the
// server's code and message.
package hallclient
