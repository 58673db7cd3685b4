package boltstore

import (
	"context"
	"fmt"
	"time"

	"yiting/queue"
)

// FillYear writes a synthetic history of about the given number of
// events — a busy hall's year: working days of tickets issued, called,
// started and completed at the hall's counters — so that start-up and
// storage can be measured on a realistic file. It writes through Commit,
// one business day per transaction, and leaves the store at the end of
// the last day. For the load tool and benchmarks; the data is invented.
func FillYear(ctx context.Context, s *Store, hall *queue.Hall, events int, from time.Time) error {
	const perTicket = 4 // issued, called, started, completed
	days := 250
	perDay := max(1, events/days/perTicket)
	var m queue.Meta
	prev := ""
	day := from.In(hall.Location)
	for d := 0; d < days && int(m.LastEventSeq) < events; d++ {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		b := &queue.Batch{Numbers: map[string]int{}, Idem: map[string]uint64{}}
		m.Day = day.Format(time.DateOnly)
		m.DayStartID = m.LastTicketID + 1
		for i := 0; i < perDay && int(m.LastEventSeq)+perTicket <= events; i++ {
			sv := hall.Services[i%len(hall.Services)]
			c := hall.Counters[i%len(hall.Counters)]
			b.Numbers[sv.ID]++
			m.LastTicketID++
			at := day.Add(time.Duration(i) * 8 * time.Hour / time.Duration(perDay))
			t := &queue.Ticket{
				ID: m.LastTicketID, Seq: b.Numbers[sv.ID], Number: queue.FormatNumber(sv.Prefix, b.Numbers[sv.ID]),
				Day: m.Day, ServiceID: sv.ID, Kiosk: "kiosk:fill", IssuedAt: at, ArrivedAt: at,
				Visitor: queue.Visitor{MaskedName: "张*"},
			}
			b.Idem[fmt.Sprint("kiosk:fill|", t.ID)] = t.ID
			for _, step := range []queue.EventType{queue.EventIssued, queue.EventCalled, queue.EventStarted, queue.EventCompleted} {
				switch step {
				case queue.EventCalled:
					t.Status, t.CalledAt, t.FirstCall, t.CounterID = queue.StatusCalled, at.Add(10*time.Minute), at.Add(10*time.Minute), c.ID
				case queue.EventStarted:
					t.Status, t.StartedAt = queue.StatusServing, at.Add(11*time.Minute)
				case queue.EventCompleted:
					t.Status, t.DoneAt = queue.StatusDone, at.Add(25*time.Minute)
				default:
					t.Status = queue.StatusWaiting
				}
				m.LastEventSeq++
				cp := *t
				b.Events = append(b.Events, queue.Event{Seq: m.LastEventSeq, Time: at, Type: step, Actor: "fill", Ticket: &cp})
			}
			b.Tickets = append(b.Tickets, t)
		}
		m.LastSeen = day.Add(18 * time.Hour)
		b.Meta = m
		b.DropDay = prev
		prev = m.Day
		if err := s.Commit(ctx, b); err != nil {
			return err
		}
		day = day.AddDate(0, 0, 1)
	}
	return nil
}
