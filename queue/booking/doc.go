// Package booking is the hall's appointment diary (预约, issue 16): slots of
// a service or a room by the hall file's plans, bookings with a code the
// visitor can type, mediation sessions scheduled by a mediator for a case
// with all its parties, arrival at the kiosk that issues an appointment
// ticket through the one desk, no-shows and reminders.
//
// Every command runs on the engine's writer (Runner), in the transaction
// of the batch it joins, with one event per step (queue.BookingStep, no
// personal data): the capacity of a slot is decided one booking at a time,
// so concurrent requests never book a slot past it. Names, ID numbers,
// phone numbers and the codes are sealed at rest (queue/personal); a keyed
// hash of the ID number finds a card tap's booking; screens show masked
// forms only.
package booking
