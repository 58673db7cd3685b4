package boltstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
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

// FillCases writes a synthetic year of cases — perDay matters on every
// working day of the year, of the hall's services that open cases, at its
// counters and units — as the book would have written them (the case, its
// facts and every index, through the same write path), one day per
// transaction. The older cases are mostly closed, those of the last ten
// weeks mostly open, a tenth supervised, some flagged; parties carry
// masked names and visitor keys drawn from a pool (some return), no sealed
// data. For benchmarks of the case pages; the data is invented. It returns
// the number of cases written.
func FillCases(ctx context.Context, s *Store, hall *queue.Hall, cal *cases.Calendar, year, perDay int) (int, error) {
	type kind struct {
		svc     queue.Service
		counter queue.Counter
	}
	var kinds []kind
	for _, sv := range hall.Services {
		if sv.CaseType == "" {
			continue
		}
		for _, c := range hall.Counters {
			if _, ok := c.Serves(sv.ID); ok {
				kinds = append(kinds, kind{sv, c})
				break
			}
		}
	}
	if len(kinds) == 0 {
		return 0, fmt.Errorf("boltstore: the hall has no counter serving a service that opens cases")
	}
	loc := hall.Location
	rng := rand.New(rand.NewPCG(uint64(year), uint64(perDay)))
	surnames, given := []rune("王李张刘陈杨黄赵吴周"), []rune("明华英强芳军敏静丽涛")
	first, last := cases.MakeDate(year, time.January, 1), cases.MakeDate(year, time.December, 31)
	recent := last.AddDays(-70)
	n := 0
	for day := first; day <= last; day++ {
		if !cal.Workday(day) {
			continue
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			for seq := 1; seq <= perDay; seq++ {
				k := kinds[rng.IntN(len(kinds))]
				at := day.Start(loc).Add(9*time.Hour + time.Duration(seq)*7*time.Hour/time.Duration(perDay))
				c := &cases.Case{
					Code: cases.Code{Region: hall.RegionCode, Day: day, Seq: seq}.String(), Type: k.svc.CaseType, ServiceID: k.svc.ID,
					Unit: k.counter.Unit, Channel: cases.ChannelInPerson, Status: cases.StatusClosed, Summary: "要求解决问题",
					Registered: at, RegisteredBy: "kiosk:fill", Day: day,
					Handler: cases.Handler{CounterID: k.counter.ID, StaffID: "clerk-" + k.counter.ID, Unit: k.counter.Unit, At: at.Add(20 * time.Minute)},
				}
				c.TokenHash = cases.TokenHash(c.Code)
				for range 1 + rng.IntN(4)/3 {
					v := rng.IntN(perDay * 150)
					c.Persons = append(c.Persons, cases.Party{VisitorKey: fmt.Sprintf("fill-%08x", v),
						MaskedName: string([]rune{surnames[v%10], '*', given[v/10%10]}), CardType: "居民身份证"})
				}
				c.Visits = []cases.Visit{{At: at, Persons: len(c.Persons), Ticket: fmt.Sprintf("A%03d", seq)}}
				c.AcceptDue = cal.Due(day, cases.Cal(15))
				c.History = append(c.History, cases.Step{At: at, Kind: cases.StepRegistered, Actor: "kiosk:fill"},
					cases.Step{At: at.Add(20 * time.Minute), Kind: cases.StepReceived, Actor: c.Handler.StaffID})
				open := rng.IntN(100) < 3 || (day >= recent && rng.IntN(100) < 60)
				accepted := at.Add(time.Duration(rng.IntN(10)) * 24 * time.Hour)
				switch {
				case open && rng.IntN(4) == 0:
					c.Status = cases.StatusReceived
				default:
					c.AcceptedAt = accepted
					c.HandleDue = cal.Due(cases.DateOf(accepted, loc), cases.Cal(60))
					c.Routes = []cases.Route{{Kind: cases.RouteCounter, Unit: k.counter.Unit, CounterID: k.counter.ID, At: accepted, By: c.Handler.StaffID}}
					c.History = append(c.History, cases.Step{At: accepted, Kind: cases.StepRouted, Actor: c.Handler.StaffID})
					c.Status = cases.StatusHandling
					if !open {
						c.HandledAt = accepted.Add(time.Duration(rng.IntN(50)) * 24 * time.Hour)
						c.ClosedAt = c.HandledAt.Add(72 * time.Hour)
						c.Status, c.Outcome = cases.StatusClosed, cases.OutcomeAnswered
						c.History = append(c.History, cases.Step{At: c.HandledAt, Kind: cases.StepConcluded, Actor: c.Handler.StaffID},
							cases.Step{At: c.ClosedAt, Kind: cases.StepClosed, Actor: c.Handler.StaffID})
					}
				}
				if open && rng.IntN(10) == 0 {
					c.Supervisions = []cases.Supervision{{ID: 1, Level: "yellow", Reason: "群众反映", OpenedAt: at, OpenedBy: "boss", ReplyDue: day.AddDays(3)}}
				}
				if rng.IntN(200) == 0 {
					c.Major = &cases.Flag{Reason: "群体性苗头", At: at, By: "boss"}
				}
				c.Journal.Add(len(c.History), c.Visits)
				if err := putCase(tx, &cases.Write{Case: c, Facts: c.Facts(loc), New: true, Steps: c.History, Visits: c.Visits}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}
