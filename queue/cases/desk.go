package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/queue"
	"yiting/queue/personal"
)

// The desk: the one way a ticket is issued in the hall. The in-process
// kiosk, a kiosk on another Pi (through the API) and the service desk in
// the console all call Issue with what the card said (or what the clerk
// typed); the desk decides the priority from the card, sends a returning
// visitor back to whoever received their open case (首访负责制: firstVisit
// is its only implementation), registers the case or links the visit to
// the open one (一件一码), seals the personal data and numbers the ticket
// — in one transaction of the engine, with the events of all of it.

// MaxGroup bounds the persons a group visit may say came (人次): the
// representatives are at most MaxPersons, the group itself is counted as
// it is.
const MaxGroup = 500

// IssueRequest asks the desk for a ticket.
type IssueRequest struct {
	ServiceID string
	// Persons are the cards read at the kiosk, or the person the clerk
	// entered at the desk; none for a service that needs no card. A group
	// petitioning in person sends at most MaxPersons representatives
	// (信访工作条例 Art. 20), the first one the ticket's holder.
	Persons []Person
	// GroupSize is how many came (人次), when more came than were
	// registered; 0 means len(Persons).
	GroupSize int
	// Priority is a priority class a clerk chose at the desk (disabled,
	// military …). Devices cannot choose: the desk gives the age-based
	// class the persons' birth dates entitle them to.
	Priority string
	// NoID is the clerk's reason why a person has no ID number (forgotten,
	// expired, foreign passport …): required for the desk to issue a
	// ticket of a service that needs an ID card without one.
	NoID string
	// Summary is the request in brief, when the clerk writes it down.
	Summary string
	// IdempotencyKey makes a retried request return the first answer:
	// the same ticket and the same case. Required, per issuer and day.
	IdempotencyKey string
	// Appointment makes it an appointment ticket for a booking that has
	// arrived (queue/booking, through IssueIn only): for the booked
	// counter, linked to the booked case if any. The booking identified
	// the visitor, so a service that needs an ID card does not ask again.
	Appointment *Appointment
}

// Appointment is what the appointment diary tells the desk of a booking.
type Appointment struct {
	queue.Appointment        // the booked time and the booking's id
	CounterID         string // the booked counter or room; "" = the service's
	CaseCode          string // the case a session was scheduled for; "" = none
}

// Issued is the desk's answer.
type Issued struct {
	Ticket   queue.Ticket
	Ahead    int  // waiting tickets expected to be called first
	Replayed bool // the key was seen before: this is the first answer
	// CaseCode and CaseURL are the case of the ticket (the URL is its
	// inquiry page, for the QR code); "" when the ticket has none.
	CaseCode string
	CaseURL  string
	Linked   bool // the visit joined the visitor's open case
}

// Issue issues a ticket at the desk; see the top of this file. Errors:
// EFORBIDDEN for a principal that may not issue or a device choosing a
// priority; ENOTFOUND for an unknown service; EINVALID for a bad person,
// a missing card or reason, a group larger than MaxGroup; ETOOMANY when a
// device registers faster than a kiosk can; ECONFLICT for a key reused
// for another service or when the day's case codes are used up.
func (b *Book) Issue(ctx context.Context, p queue.Principal, req IssueRequest) (Issued, error) {
	pre, err := b.prepareIssue(p, req)
	if err != nil {
		return Issued{}, err
	}
	is, err := run(ctx, b, func(tx *queue.Tx) (Issued, error) { return b.issueTx(ctx, tx, p, req, pre) })
	if err != nil {
		return Issued{}, err
	}
	b.logIssued(p, is, pre.size)
	return is, nil
}

// IssueIn is Issue inside a command of another domain package, in its
// transaction: the appointment diary's arrival (queue/booking) issues the
// appointment ticket through the one desk and marks the booking arrived
// in the same commit. Like Issue it is the last thing the command does.
func (b *Book) IssueIn(ctx context.Context, tx *queue.Tx, p queue.Principal, req IssueRequest) (Issued, error) {
	pre, err := b.prepareIssue(p, req)
	if err != nil {
		return Issued{}, err
	}
	is, err := b.issueTx(ctx, tx, p, req, pre)
	if err == nil {
		b.logIssued(p, is, pre.size)
	}
	return is, err
}

// issuePrep is what the checks of an issue request found, outside the
// writer: the service, the cleaned persons, the bare ticket's request.
type issuePrep struct {
	sv      queue.Service
	persons []Person
	size    int
	qreq    queue.IssueRequest
}

// prepareIssue checks a request before it goes to the writer.
func (b *Book) prepareIssue(p queue.Principal, req IssueRequest) (issuePrep, error) {
	if !p.CanIssue() {
		return issuePrep{}, queue.Errorf(queue.EFORBIDDEN, "无权取号 (not allowed to issue tickets)")
	}
	sv, ok := b.hall.Service(req.ServiceID)
	if !ok {
		return issuePrep{}, queue.Errorf(queue.ENOTFOUND, "没有这项服务：%q (unknown service)", req.ServiceID)
	}
	if err := checkKey(req.IdempotencyKey); err != nil {
		return issuePrep{}, err
	}
	var persons []Person
	if len(req.Persons) > 0 {
		var err error
		if persons, err = b.cleanPersons(req.Persons, partyCap(sv.CaseType, ChannelInPerson)); err != nil {
			return issuePrep{}, err
		}
	}
	if req.GroupSize < 0 || req.GroupSize > MaxGroup || (req.GroupSize > 0 && req.GroupSize < len(persons)) {
		return issuePrep{}, queue.Errorf(queue.EINVALID, "来访人数应为%d至%d (group size must be %d..%d)", max(1, len(persons)), MaxGroup, max(1, len(persons)), MaxGroup)
	}
	if err := checkText("summary", req.Summary, 2000); err != nil {
		return issuePrep{}, err
	}
	if p.Role.IsDevice() && (req.Priority != "" || req.NoID != "" || req.Summary != "" || req.GroupSize > len(persons)) {
		return issuePrep{}, queue.Errorf(queue.EFORBIDDEN, "自助设备不能指定优先类别、人数或说明 (devices cannot choose a priority, a group size or notes)")
	}
	if sv.NeedsID && !hasID(persons) && req.Appointment == nil { // a booking identified its visitor
		if p.Role.IsDevice() {
			return issuePrep{}, queue.Errorf(queue.EINVALID, "%s须刷身份证取号 (this service needs an ID card)", sv.Name)
		}
		if len(persons) == 0 {
			return issuePrep{}, queue.Errorf(queue.EINVALID, "%s须登记来访人 (this service needs the visitor's name)", sv.Name)
		}
		if strings.TrimSpace(req.NoID) == "" || utf8.RuneCountInString(req.NoID) > 100 || !printable(req.NoID) {
			return issuePrep{}, queue.Errorf(queue.EINVALID, "无证件号码时请写明原因，最多100字 (say why there is no ID number)")
		}
	}
	size := max(req.GroupSize, len(persons))
	qreq := queue.IssueRequest{ServiceID: sv.ID, Priority: req.Priority, IdempotencyKey: req.IdempotencyKey}
	if len(persons) > 0 {
		qreq.Visitor.MaskedName = personal.GroupName(personal.MaskName(persons[0].Name), size)
		if k := firstKey(b.keys, persons); k != "" {
			qreq.Visitor.Key = k
		}
	}
	return issuePrep{sv: sv, persons: persons, size: size, qreq: qreq}, nil
}

// issueTx is the desk's command on the writer.
func (b *Book) issueTx(ctx context.Context, tx *queue.Tx, p queue.Principal, req IssueRequest, pre issuePrep) (Issued, error) {
	sv, persons, size, qreq := pre.sv, pre.persons, pre.size, pre.qreq
	if rp, ok, err := tx.Replay(p, qreq); err != nil || ok {
		if err != nil {
			return Issued{}, err
		}
		return b.replayed(ctx, tx, rp)
	}
	// A device taps cards no faster than a kiosk serves visitors:
	// every tap with a card counts, whether it registers a case or
	// joins one — so a stolen token can neither use up the day's
	// codes nor probe ID numbers for open cases at speed.
	if p.Role.IsDevice() && len(persons) > 0 {
		if err := b.limit.take(p.Actor(), DateOf(tx.Now(), b.hall.Location), tx.Now()); err != nil {
			return Issued{}, err
		}
	}
	if qreq.Priority == "" {
		qreq.Priority = agePriority(b.hall.Priority.Classes, persons, tx.Now())
	}
	duty := ""
	if sv.DutyOnly {
		var err error
		if duty, err = b.dutyRoom(ctx, sv, tx.Now()); err != nil {
			return Issued{}, err
		}
		qreq.TargetCounter = duty
	}
	appt := req.Appointment
	if appt != nil {
		qreq.Appointment, qreq.TargetCounter = appt.Appointment, appt.CounterID
	}
	if err := tx.CheckIssue(p, qreq); err != nil {
		return Issued{}, err
	}
	var (
		c      *Case
		url    string
		isNew  bool
		linked bool
	)
	if appt != nil && appt.CaseCode != "" { // a session scheduled for its case
		sc, err := b.get(ctx, tx, appt.CaseCode)
		if err != nil {
			return Issued{}, err
		}
		if sc.Status.Open() {
			c, linked, qreq.CaseCode = sc, true, sc.Code
		}
	}
	if c == nil && sv.CaseType != "" && len(persons) > 0 {
		open, err := b.firstVisit(ctx, tx, qreq.Visitor.Key, sv.CaseType)
		if err != nil {
			return Issued{}, err
		}
		if open != nil {
			c, linked = open, true
			qreq.TargetCounter = b.receiver(c, sv.ID)
		} else {
			var token string
			c, token, err = b.open(ctx, tx, p, opening{service: sv, caseType: sv.CaseType, unit: b.homeUnit(sv.ID),
				channel: ChannelInPerson, summary: req.Summary, persons: persons, size: size})
			if err != nil {
				return Issued{}, err
			}
			url, isNew = b.InquiryURL(token), true
		}
		qreq.CaseCode = c.Code
	}
	switch {
	case appt != nil: // the booked counter or room, whoever first received the case
		qreq.TargetCounter = appt.CounterID
	case duty != "": // the visitor came to see the leader of the day
		qreq.TargetCounter = duty
	}
	qi, err := tx.Issue(p, qreq) // checked above: it issues
	if err != nil {
		return Issued{}, err
	}
	out := Issued{Ticket: qi.Ticket, Ahead: qi.Ahead, Linked: linked}
	if c == nil {
		return out, nil
	}
	now := tx.Now()
	if linked {
		c.Visits = append(c.Visits, Visit{At: now, Persons: size, Ticket: qi.Ticket.Number})
		st := c.step(now, StepVisit, p.Actor(), fmt.Sprintf("再次来访 %s %d人", qi.Ticket.Number, size))
		st.Persons, st.Ticket, st.Counter = size, qi.Ticket.ID, qreq.TargetCounter
		if url, err = b.urlOf(c); err != nil {
			return Issued{}, err
		}
	} else {
		c.Visits[0].Ticket = qi.Ticket.Number
		c.History[0].Ticket = qi.Ticket.ID
	}
	if strings.TrimSpace(req.NoID) != "" {
		c.step(now, StepRecord, p.Actor(), "无证件号码："+strings.TrimSpace(req.NoID))
	}
	b.save(tx, &Write{Case: c, New: isNew})
	out.CaseCode, out.CaseURL = c.Code, url
	return out, nil
}

// logIssued logs a ticket issued with its case (no personal data).
func (b *Book) logIssued(p queue.Principal, is Issued, size int) {
	if !is.Replayed && is.CaseCode != "" {
		b.log.Info("ticket issued with its case", "ticket", is.Ticket.Number, "case", is.CaseCode, "linked", is.Linked,
			"target_counter", is.Ticket.TargetCounter, "persons", size, "actor", p.Actor())
	}
}

// replayed is the first answer to a retried request, read again.
func (b *Book) replayed(ctx context.Context, tx *queue.Tx, rp queue.Issued) (Issued, error) {
	out := Issued{Ticket: rp.Ticket, Ahead: rp.Ahead, Replayed: true}
	if rp.Ticket.CaseCode == "" {
		return out, nil
	}
	c, err := b.get(ctx, tx, rp.Ticket.CaseCode)
	if err != nil {
		return Issued{}, err
	}
	url, err := b.urlOf(c)
	if err != nil {
		return Issued{}, err
	}
	out.CaseCode, out.CaseURL, out.Linked = c.Code, url, c.Journal.First != rp.Ticket.Number
	return out, nil
}

// firstVisit is first-visit responsibility (首访负责制), the hall's only
// implementation: the visitor's newest open case of the case type, to
// which a new visit is linked instead of opening a second case. Cases
// registered earlier in the same batch count. It chooses by the cases'
// Facts (newest registration day, then the higher code: the day's
// sequence) and decodes only the case it chose.
func (b *Book) firstVisit(ctx context.Context, tx *queue.Tx, key, caseType string) (*Case, error) {
	if key == "" {
		return nil, nil
	}
	codes, err := b.store.OpenCodesOf(ctx, key)
	if err != nil {
		return nil, err
	}
	if v, ok := tx.Pending(visitorKey(key)); ok {
		codes = append(codes, v.(string))
	}
	var best *Facts
	for _, code := range codes {
		f, err := b.facts(ctx, tx, code)
		if err != nil {
			return nil, err
		}
		if f.Status.Open() && f.Type == caseType && (best == nil || f.Day > best.Day || f.Day == best.Day && f.Code > best.Code) {
			best = f
		}
	}
	if best == nil {
		return nil, nil
	}
	return b.get(ctx, tx, best.Code)
}

// facts reads a case's Facts inside a command: the version a command
// earlier in the same batch wrote, else the store's.
func (b *Book) facts(ctx context.Context, tx *queue.Tx, code string) (*Facts, error) {
	if v, ok := tx.Pending(caseKey(code)); ok {
		f := v.(*Write).Facts
		return &f, nil
	}
	return b.store.CaseFacts(ctx, code)
}

// receiver is the counter a returning visitor goes back to: the one that
// first received the case, else the one it was routed to — if it serves
// the service chosen now; "" otherwise (the ticket goes to the service's
// queue).
func (b *Book) receiver(c *Case, serviceID string) string {
	counter := c.Handler.CounterID
	if counter == "" {
		if r, ok := c.Route(); ok {
			counter = r.CounterID
		}
	}
	ct, ok := b.hall.Counter(counter)
	if !ok {
		return ""
	}
	if _, ok := ct.Serves(serviceID); !ok {
		return ""
	}
	return ct.ID
}

func hasID(ps []Person) bool {
	for _, p := range ps {
		if p.IDNumber != "" {
			return true
		}
	}
	return false
}

// firstKey is the visitor key of the first person with an ID number: the
// holder a returning visit is recognised by.
func firstKey(k *personal.Keys, ps []Person) string {
	for _, p := range ps {
		if p.IDNumber != "" {
			return k.VisitorKey(p.IDNumber)
		}
	}
	return ""
}

// agePriority is the age-based priority class (老年人: 60) the oldest of
// the persons is entitled to, "" for none.
func agePriority(classes []queue.PriorityClass, persons []Person, now time.Time) string {
	best, bestAge := "", 0
	for _, p := range persons {
		if p.Birth.IsZero() {
			continue
		}
		age := ageOn(p.Birth, now)
		for _, c := range classes {
			if c.MinAge > 0 && age >= c.MinAge && c.MinAge > bestAge {
				best, bestAge = c.ID, c.MinAge
			}
		}
	}
	return best
}

// ageOn is the age in whole years on the day of now.
func ageOn(birth, now time.Time) int {
	y := now.Year() - birth.Year()
	if now.Month() < birth.Month() || now.Month() == birth.Month() && now.Day() < birth.Day() {
		y--
	}
	return y
}

// Duty tells which room receives a duty-only service's visitors on a day
// ("2006-01-02"), and who receives there; ok is false when the rota does
// not open the service that day. *rota.Rota implements it.
type Duty interface {
	Receiving(ctx context.Context, day, serviceID string) (counterID, who string, ok bool, err error)
}

// dutyRoom is the room of today's duty for a duty-only service, or the
// refusal that the service is not offered today.
func (b *Book) dutyRoom(ctx context.Context, sv queue.Service, now time.Time) (string, error) {
	if b.duty != nil {
		counter, _, ok, err := b.duty.Receiving(ctx, DateOf(now, b.hall.Location).String(), sv.ID)
		if err != nil {
			return "", err
		}
		if ok {
			return counter, nil
		}
	}
	return "", queue.Errorf(queue.ECONFLICT, "今日没有安排%s，请选择其他事项或到服务台咨询 (%s is not offered today)", sv.Name, sv.ID)
}
