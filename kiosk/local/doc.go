// Package local is the kiosk's view of the hall when the kiosk runs in the
// hall server's own process: a kiosk.Hall over the *queue.Engine, issuing
// as the in-process kiosk principal with no token, and the first-visit
// lookup (首访负责制) over the visitor's earlier tickets.
package local
