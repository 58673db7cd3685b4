package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// BookRequest asks for a booking.
type BookRequest struct {
	Plan  string
	Start time.Time
	// Persons: the visitor booking (public channels, the desk, the
	// phone) — a name, and an ID number for the card tap to find it (the
	// public page asks for it); none for a session, which books every
	// party of its case.
	Persons []cases.Person
	// CaseCode: the case of a session (ChannelSession), or the case
	// whose public page the visitor booked from (ChannelCase).
	CaseCode string
	Channel  Channel
	Note     string // staff only; no personal data
	// IdempotencyKey makes a retried request return the first booking.
	IdempotencyKey string
}

// Booked is the answer: the booking, and each party's code, shown this
// once to be told to the visitor (staff can open it again, audited by the
// event of the step that shows it).
type Booked struct {
	Booking  View     `json:"booking"`
	Codes    []string `json:"codes"`
	Replayed bool     `json:"replayed,omitempty"`
}

// maxNote bounds a staff note.
const maxNote = 200

// Book books a slot. Who: a visitor (the zero principal) on a public
// channel for a public plan; staff and supervisors on the others; a
// session needs a case the principal handles. Errors: EFULL when the
// slot's bookable places are taken (never more bookings than places,
// whatever the concurrency: the writer decides one at a time); EINVALID
// for a bad slot, person or channel; ECONFLICT when the visitor already
// holds a booking of the plan that day or the key was used for another
// request; EFORBIDDEN for a principal that may not book so.
func (d *Diary) Book(ctx context.Context, p queue.Principal, req BookRequest) (Booked, error) {
	pl, ok := d.current().plan(req.Plan)
	if !ok {
		return Booked{}, noPlan(req.Plan)
	}
	if err := checkBooker(p, pl, req.Channel); err != nil {
		return Booked{}, err
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > 128 || !utf8.ValidString(req.IdempotencyKey) {
		return Booked{}, queue.Errorf(queue.EINVALID, "idempotency key: required, at most 128 characters")
	}
	if utf8.RuneCountInString(req.Note) > maxNote || (req.Note != "" && req.Channel.Public()) {
		return Booked{}, queue.Errorf(queue.EINVALID, "备注最多%d字 (note too long)", maxNote)
	}
	if req.Channel == ChannelSession {
		// Before the case's parties are opened (an audited view): a slot
		// already full or no slot at all opens nothing. The writer checks
		// again.
		if err := d.checkSlot(ctx, d.current(), pl, req.Start, d.now()); err != nil {
			return Booked{}, err
		}
		if n, err := d.store.Taken(ctx, pl.ID, req.Start); err != nil || n >= pl.Bookable() {
			return Booked{}, cmpErr(err, d.full(pl, req.Start))
		}
	}
	persons, err := d.persons(ctx, p, req)
	if err != nil {
		return Booked{}, err
	}
	idem := hashKey(p.Actor() + "|" + req.IdempotencyKey)
	out, err := run(ctx, d, func(tx *queue.Tx) (Booked, error) {
		if id, err := d.idem(ctx, tx, idem); err != nil || id != "" {
			if err != nil {
				return Booked{}, err
			}
			return d.replay(ctx, tx, id, req)
		}
		now := tx.Now()
		// The plan as it is now: a change of the page earlier in this
		// batch or committed since the request came counts.
		st, err := d.stateIn(ctx, tx)
		if err != nil {
			return Booked{}, err
		}
		pl, ok := st.plan(req.Plan)
		if !ok {
			return Booked{}, noPlan(req.Plan)
		}
		if err := d.checkSlot(ctx, st, pl, req.Start, now); err != nil {
			return Booked{}, err
		}
		id, err := randomID(d.rand)
		if err != nil {
			return Booked{}, err
		}
		day := cases.DateOf(req.Start, d.hall.Location)
		for _, ps := range persons {
			if ps.IDNumber == "" {
				continue
			}
			if err := d.checkOnce(ctx, tx, d.keys.VisitorKey(ps.IDNumber), personal.MaskName(ps.Name), pl, req.Start, id); err != nil {
				return Booked{}, err
			}
		}
		n, err := d.taken(ctx, tx, pl.ID, req.Start)
		if err != nil {
			return Booked{}, err
		}
		if n >= pl.Bookable() {
			return Booked{}, d.full(pl, req.Start)
		}
		b := &Booking{ID: id, Plan: pl.ID, ServiceID: pl.ServiceID, CounterID: pl.CounterID, Day: day, Start: req.Start.In(time.UTC),
			End: req.Start.Add(pl.Length).In(time.UTC), CaseCode: req.CaseCode, Channel: req.Channel, Note: strings.TrimSpace(req.Note),
			By: actorOf(p), At: now}
		codes := make([]string, len(persons))
		for i, ps := range persons {
			if codes[i], err = newCode(d.rand); err != nil {
				return Booked{}, err
			}
			b.Parties = append(b.Parties, d.seal(b.ID, i, ps, codes[i]))
		}
		if err := d.hold(ctx, tx, pl.ID, req.Start, 1); err != nil {
			return Booked{}, err
		}
		d.save(tx, &Write{Booking: b, New: true, IdemKey: idem}, b.By, "booked", 0, "")
		tx.Keep(idemKeyOf(idem), b.ID)
		return Booked{Booking: d.View(b), Codes: formatCodes(codes)}, nil
	})
	if err == nil && !out.Replayed {
		d.log.Info("booking made", "booking", out.Booking.ID, "plan", pl.ID, "start", out.Booking.Start, "parties", len(out.Codes),
			"channel", string(req.Channel), "actor", p.Actor())
	}
	return out, err
}

// checkBooker is who may book on which channel.
func checkBooker(p queue.Principal, pl Plan, ch Channel) error {
	switch ch {
	case ChannelPublic, ChannelCase:
		if p.Role != "" {
			return queue.Errorf(queue.EINVALID, "工作人员请选择窗口或电话预约 (staff book on the desk or phone channel)")
		}
		if !pl.Public {
			return queue.Errorf(queue.EFORBIDDEN, "%s需由工作人员预约，请到服务台或来电 (staff book this plan)", pl.Name)
		}
		return nil
	case ChannelDesk, ChannelPhone, ChannelSession:
		if p.Role == queue.RoleStaff || p.Role == queue.RoleSupervisor {
			return nil
		}
		return queue.Errorf(queue.EFORBIDDEN, "只有工作人员和督导人员可以代为预约 (staff and supervisors only)")
	}
	return queue.Errorf(queue.EINVALID, "预约渠道无效：%q (bad channel)", ch)
}

// persons are the people a request books, checked: the request's, or a
// session's case's parties (opened through the case book, audited).
func (d *Diary) persons(ctx context.Context, p queue.Principal, req BookRequest) ([]cases.Person, error) {
	if req.Channel == ChannelSession {
		if d.cases == nil || req.CaseCode == "" {
			return nil, queue.Errorf(queue.EINVALID, "调解预约须指定案件 (a session needs its case)")
		}
		if len(req.Persons) > 0 {
			return nil, queue.Errorf(queue.EINVALID, "调解预约的当事人取自案件 (a session books its case's parties)")
		}
		if _, err := d.cases.Case(ctx, p, req.CaseCode); err != nil {
			return nil, err
		}
		details, err := d.cases.Personal(ctx, p, req.CaseCode, "安排调解预约，通知当事人")
		if err != nil {
			return nil, err
		}
		var out []cases.Person
		for _, pd := range details {
			out = append(out, cases.Person{Name: pd.Name, IDNumber: pd.IDNumber, Phone: pd.Phone, CardType: pd.CardType})
		}
		if len(out) == 0 {
			return nil, queue.Errorf(queue.ECONFLICT, "案件没有可预约的当事人 (the case has no party)")
		}
		return out, nil
	}
	if req.Channel != ChannelCase && req.CaseCode != "" && p.Role == "" {
		return nil, queue.Errorf(queue.EINVALID, "case code only from the case's page")
	}
	if len(req.Persons) != 1 {
		return nil, queue.Errorf(queue.EINVALID, "请填写一位预约人 (one person books)")
	}
	ps, err := cases.CleanPerson(0, req.Persons[0])
	if err != nil {
		return nil, err
	}
	if ps.IDNumber == "" && req.Channel.Public() {
		return nil, queue.Errorf(queue.EINVALID, "请填写身份证号码，到达时刷身份证签到 (an ID number is required)")
	}
	return []cases.Person{ps}, nil
}

// checkOnce refuses a second active booking of a plan on a day for the
// same visitor (by the keyed hash of their ID number): a place is for one
// visit, and a visitor cannot hold a day's places. self is the booking
// being made or moved, which does not count against itself.
func (d *Diary) checkOnce(ctx context.Context, tx *queue.Tx, vk, masked string, pl Plan, start time.Time, self string) error {
	day := cases.DateOf(start, d.hall.Location)
	held, err := d.store.BookingsOf(ctx, vk, day)
	if err != nil {
		return err
	}
	if v, ok := tx.Pending(visitorDayKey(vk, day)); ok {
		held = append(held, v.([]*Booking)...)
	}
	for _, b := range held {
		if b.Active() && b.Plan == pl.ID && b.ID != self {
			return queue.Errorf(queue.ECONFLICT, "%s当天已有%s的预约（%s），如需改时间请改约 (already booked that day)",
				masked, pl.Name, b.Start.In(d.hall.Location).Format("15:04"))
		}
	}
	tx.Keep(visitorDayKey(vk, day), append(pendingOf(tx, vk, day), &Booking{ID: self, Plan: pl.ID, Start: start}))
	return nil
}

func visitorDayKey(vk string, day cases.Date) string {
	return "booking visitor " + vk + " " + day.String()
}

func pendingOf(tx *queue.Tx, vk string, day cases.Date) []*Booking {
	if v, ok := tx.Pending(visitorDayKey(vk, day)); ok {
		return v.([]*Booking)
	}
	return nil
}

// seal makes a party of a person: masked, sealed, keyed.
func (d *Diary) seal(id string, i int, ps cases.Person, code string) Party {
	label := func(field string) string { return fmt.Sprintf("yiting booking %s party %d %s", id, i, field) }
	pt := Party{MaskedName: personal.MaskName(ps.Name), MaskedID: personal.MaskID(ps.IDNumber), MaskedPhone: personal.MaskPhone(ps.Phone),
		SealedName: d.keys.Seal([]byte(ps.Name), label("name")), CodeKey: codeKey(d.keys, code),
		SealedCode: d.keys.Seal([]byte(code), label("code")), Status: PartyBooked}
	if ps.IDNumber != "" {
		pt.VisitorKey = d.keys.VisitorKey(ps.IDNumber)
		pt.SealedID = d.keys.Seal([]byte(ps.IDNumber), label("id"))
	}
	if ps.Phone != "" {
		pt.SealedPhone = d.keys.Seal([]byte(ps.Phone), label("phone"))
	}
	return pt
}

// open opens a sealed field of a party.
func (d *Diary) open(b *Booking, i int, field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	v, err := d.keys.Open(sealed, fmt.Sprintf("yiting booking %s party %d %s", b.ID, i, field))
	if err != nil {
		return "", fmt.Errorf("booking %s: party %d %s: %w", b.ID, i, field, err)
	}
	return string(v), nil
}

func formatCodes(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = FormatCode(c)
	}
	return out
}

func idemKeyOf(h string) string { return "booking idem " + h }

func (d *Diary) idem(ctx context.Context, tx *queue.Tx, h string) (string, error) {
	if v, ok := tx.Pending(idemKeyOf(h)); ok {
		return v.(string), nil
	}
	return d.store.BookingByIdem(ctx, h)
}

// replay is the first answer to a retried request, codes opened again.
func (d *Diary) replay(ctx context.Context, tx *queue.Tx, id string, req BookRequest) (Booked, error) {
	b, err := d.get(ctx, tx, id)
	if err != nil {
		return Booked{}, err
	}
	if b.Plan != req.Plan || !b.Start.Equal(req.Start) {
		return Booked{}, queue.Errorf(queue.ECONFLICT, "idempotency key reused for a different request")
	}
	out := Booked{Booking: d.View(b), Replayed: true}
	for i, pt := range b.Parties {
		c, err := d.open(b, i, "code", pt.SealedCode)
		if err != nil {
			return Booked{}, err
		}
		out.Codes = append(out.Codes, FormatCode(c))
	}
	return out, nil
}

func randomID(r io.Reader) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("booking: id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// full is the refusal of a slot with no place left (EFULL).
func (d *Diary) full(pl Plan, start time.Time) error {
	return &queue.Error{Code: queue.EFULL, Message: fmt.Sprintf("%s %s 已约满，请选择其他时段 (the slot is fully booked)",
		pl.Name, start.In(d.hall.Location).Format("01月02日 15:04"))}
}

// cmpErr is err if not nil, else otherwise.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
