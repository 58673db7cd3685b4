package booking

import (
	"context"
	"fmt"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// ArriveRequest is a visitor checking in at the kiosk (or at the desk):
// the card they tapped, or the code they typed.
type ArriveRequest struct {
	Person *cases.Person // the card read
	Code   string        // or the booking code
	// IdempotencyKey makes a retried check-in return the first ticket.
	IdempotencyKey string
}

// Outcome is what a check-in came to.
type Outcome string

// Outcomes of a check-in.
const (
	OutcomeIssued Outcome = "issued" // an appointment ticket was issued
	OutcomeEarly  Outcome = "early"  // too early: come back from Arrival.From, or take a walk-in ticket
	OutcomeLapsed Outcome = "lapsed" // later than the late window: the booking lapsed; take a walk-in ticket
)

// Arrival is the answer to a check-in.
type Arrival struct {
	Outcome Outcome      `json:"outcome"`
	Message string       `json:"message"` // for the visitor, in Chinese
	Booking View         `json:"booking"`
	Party   int          `json:"party"`           // 1-based
	From    time.Time    `json:"from,omitzero"`   // early: check-in opens
	Issued  cases.Issued `json:"issued,omitzero"` // issued: the ticket, its case
}

// Arrive checks a visitor in for today's booking: within the window
// (Policy.Early before the slot to Policy.Late after its start) it issues
// an appointment ticket through the desk for the booked counter or room,
// linked to the session's case, and marks the party arrived — in one
// transaction. Too early: OutcomeEarly, nothing changes. Too late: the
// party's booking lapses (OutcomeLapsed, written). Kiosks, staff and
// supervisors may check in. Errors: ENOTFOUND when no booking of today is
// found (counted: a device that keeps guessing gets ETOOMANY), EINVALID
// for a bad code, ECONFLICT when the party has already checked in.
func (d *Diary) Arrive(ctx context.Context, p queue.Principal, req ArriveRequest) (Arrival, error) {
	switch p.Role {
	case queue.RoleKiosk, queue.RoleStaff, queue.RoleSupervisor:
	default:
		return Arrival{}, queue.Errorf(queue.EFORBIDDEN, "无权办理预约签到 (not allowed to check in)")
	}
	var person cases.Person
	var ckey, vk string
	switch {
	case req.Person != nil && req.Code == "":
		var err error
		if person, err = cases.CleanPerson(0, *req.Person); err != nil {
			return Arrival{}, err
		}
		if person.IDNumber == "" {
			return Arrival{}, queue.Errorf(queue.EINVALID, "未读到证件号码，请重新刷卡或输入预约码 (no ID number read)")
		}
		vk = d.keys.VisitorKey(person.IDNumber)
	case req.Person == nil && req.Code != "":
		code, err := NormalizeCode(req.Code)
		if err != nil {
			return Arrival{}, err
		}
		ckey = codeKey(d.keys, code)
	default:
		return Arrival{}, queue.Errorf(queue.EINVALID, "请刷身份证或输入预约码 (a card or a code)")
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > 128 {
		return Arrival{}, queue.Errorf(queue.EINVALID, "idempotency key: required, at most 128 characters")
	}
	if err := d.limit.check(p.Actor(), d.now()); err != nil {
		return Arrival{}, err
	}
	out, err := run(ctx, d, func(tx *queue.Tx) (Arrival, error) {
		now := tx.Now()
		b, i, err := d.findToday(ctx, tx, vk, ckey, now)
		if err != nil {
			return Arrival{}, err
		}
		pt := &b.Parties[i]
		a := Arrival{Booking: d.View(b), Party: i + 1}
		at := b.Start.In(d.hall.Location).Format("15:04")
		qreq := queue.IssueRequest{ServiceID: b.ServiceID, IdempotencyKey: req.IdempotencyKey}
		if pt.Status == PartyArrived {
			if rp, ok, err := tx.Replay(p, qreq); err == nil && ok && rp.Ticket.Booking == b.ID {
				a.Outcome, a.Issued = OutcomeIssued, cases.Issued{Ticket: rp.Ticket, Ahead: rp.Ahead, Replayed: true, CaseCode: rp.Ticket.CaseCode}
				a.Message = arrivedMessage(d.hall, rp.Ticket)
				return a, nil
			}
			return Arrival{}, queue.Errorf(queue.ECONFLICT, "您已签到，号码%s，请留意叫号 (already checked in)", pt.Ticket)
		}
		if pt.Status != PartyBooked {
			return Arrival{}, queue.Errorf(queue.ECONFLICT, "该预约%s，请取普通号 (the booking is %s)", pt.Status.Name(), pt.Status)
		}
		switch {
		case now.Before(b.Start.Add(-d.file.Policy.Early)):
			a.Outcome, a.From = OutcomeEarly, b.Start.Add(-d.file.Policy.Early)
			a.Message = fmt.Sprintf("您预约的是%s %s，请于%s以后签到；也可以现在取普通号排队", b.Start.In(d.hall.Location).Format("01月02日"), at,
				a.From.In(d.hall.Location).Format("15:04"))
			return a, nil
		case now.After(b.Start.Add(d.file.Policy.Late)):
			pt.Status, pt.At = PartyLapsed, now
			d.save(tx, &Write{Booking: b}, p.Actor(), "lapsed", i+1, "")
			a.Outcome, a.Booking = OutcomeLapsed, d.View(b)
			a.Message = fmt.Sprintf("您预约的时间%s已过（迟到超过%d分钟），预约已失效；请取普通号排队", at, int(d.file.Policy.Late/time.Minute))
			return a, nil
		}
		if ckey != "" { // a typed code: the booking names the person
			if person, err = d.personOf(b, i); err != nil {
				return Arrival{}, err
			}
		}
		is, err := d.desk.IssueIn(ctx, tx, p, cases.IssueRequest{ServiceID: b.ServiceID, Persons: []cases.Person{person},
			IdempotencyKey: req.IdempotencyKey, Appointment: &cases.Appointment{Appointment: queue.Appointment{At: b.Start, Booking: b.ID},
				CounterID: b.CounterID, CaseCode: b.CaseCode}})
		if err != nil {
			return Arrival{}, err
		}
		pt.Status, pt.At, pt.Ticket, pt.TicketID = PartyArrived, now, is.Ticket.Number, is.Ticket.ID
		d.save(tx, &Write{Booking: b}, p.Actor(), "arrived", i+1, is.Ticket.Number)
		a.Outcome, a.Issued, a.Booking = OutcomeIssued, is, d.View(b)
		a.Message = arrivedMessage(d.hall, is.Ticket)
		return a, nil
	})
	if queue.ErrorCode(err) == queue.ENOTFOUND {
		d.limit.miss(p.Actor(), d.now())
	}
	if err == nil {
		d.log.Info("booking check-in", "booking", out.Booking.ID, "party", out.Party, "outcome", string(out.Outcome),
			"ticket", out.Issued.Ticket.Number, "actor", p.Actor())
	}
	return out, err
}

func arrivedMessage(h *queue.Hall, t queue.Ticket) string {
	where := "办理窗口"
	if c, ok := h.Counter(t.TargetCounter); ok {
		where = c.Name
	}
	return fmt.Sprintf("签到成功，您的号码是%s，预约时间到后优先叫号，请到%s附近等候", t.Number, where)
}

// findToday finds the booking of today a card (visitor key) or a code
// (code key) checks in for, and the party. Of several bookings of the day
// the one whose window is open now, else the next to come, else the one
// passed last.
func (d *Diary) findToday(ctx context.Context, tx *queue.Tx, vk, ckey string, now time.Time) (*Booking, int, error) {
	today := cases.DateOf(now, d.hall.Location)
	notFound := queue.Errorf(queue.ENOTFOUND, "没有找到您今天的预约，请核对预约码或取普通号 (no booking of today)")
	if ckey != "" {
		b, i, err := d.store.BookingByCode(ctx, ckey)
		if err != nil {
			return nil, 0, notFound
		}
		if b, err = d.get(ctx, tx, b.ID); err != nil {
			return nil, 0, err
		}
		if !b.Active() || b.Day != today {
			if b.Active() && b.Day > today {
				return nil, 0, queue.Errorf(queue.ENOTFOUND, "您的预约在%s，不是今天 (the booking is on another day)", b.Day)
			}
			return nil, 0, notFound
		}
		return b, i, nil
	}
	held, err := d.store.BookingsOf(ctx, vk, today)
	if err != nil {
		return nil, 0, err
	}
	var best *Booking
	bi := 0
	score := func(b *Booking) int { // 0 open now, 1 to come, 2 passed
		switch {
		case now.Before(b.Start.Add(-d.file.Policy.Early)):
			return 1
		case now.After(b.Start.Add(d.file.Policy.Late)):
			return 2
		}
		return 0
	}
	for _, h := range held {
		b, err := d.get(ctx, tx, h.ID)
		if err != nil {
			return nil, 0, err
		}
		if !b.Active() {
			continue
		}
		for i, pt := range b.Parties {
			if pt.VisitorKey != vk || (pt.Status != PartyBooked && pt.Status != PartyArrived) {
				continue
			}
			if best == nil || score(b) < score(best) || score(b) == score(best) && b.Start.Before(best.Start) {
				best, bi = b, i
			}
		}
	}
	if best == nil {
		return nil, 0, notFound
	}
	return best, bi, nil
}

// personOf opens a party's name and ID number for the desk.
func (d *Diary) personOf(b *Booking, i int) (cases.Person, error) {
	pt := b.Parties[i]
	name, err := d.open(b, i, "name", pt.SealedName)
	if err != nil {
		return cases.Person{}, err
	}
	id, err := d.open(b, i, "id", pt.SealedID)
	if err != nil {
		return cases.Person{}, err
	}
	return cases.Person{Name: name, IDNumber: personal.NormalizeID(id)}, nil
}
