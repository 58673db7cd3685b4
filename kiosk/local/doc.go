// Package local is the kiosk's desk when the kiosk loop runs in the hall
// server's own process: a kiosk.Desk over the server's desk
// (cases.Book.Issue) and its engine, without a network hop.
package local
