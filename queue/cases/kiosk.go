package cases

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"regexp"
	"slices"

	"yiting/queue"
)

// KioskInquiry is 查询进度 at the kiosk, for a visitor who lost the ticket
// (and so the QR code of the inquiry page): either the ID number read
// from the card on the reader, or a case code with the last four
// characters of the ID number of one of its parties.
//
// Why a code alone is not enough: the QR code's token is unguessable, a
// case code is not (region, day, sequence and a check character), so a
// code would let anyone at the kiosk read any case's progress. The last
// four characters of the party's ID number are something the visitor
// knows and a passer-by does not; with the kiosk's pace of card taps (the
// same limit, issuerLimit) trying 10,000 endings per code is out of reach.
type KioskInquiry struct {
	IDNumber string // read from the card
	Code     string // or a case code…
	IDLast4  string // …and the last four characters of a party's ID number
}

// maxKioskCases bounds the cases one card shows: a screen holds a few.
const maxKioskCases = 5

var last4Pattern = regexp.MustCompile(`^[0-9]{3}[0-9X]$`)

// InquireAtKiosk returns what the kiosk shows for an inquiry: by card,
// the visitor's open cases, newest first (at most five); by code, that
// case, open or not. Each is the public inquiry page's view without the
// messages. A code that does not exist and digits that do not match are
// the same ENOTFOUND. Kiosks and staff may ask; a device's inquiries count
// against its card taps (ETOOMANY). Nothing is audited: no personal data
// is shown beyond the masked name.
func (b *Book) InquireAtKiosk(ctx context.Context, p queue.Principal, q KioskInquiry) ([]PublicView, error) {
	if p.Role != queue.RoleKiosk && p.Role != queue.RoleStaff && !supervisor(p) {
		return nil, queue.Errorf(queue.EFORBIDDEN, "无权查询 (kiosks and staff only)")
	}
	byCard := q.IDNumber != ""
	if byCard == (q.Code != "") {
		return nil, queue.Errorf(queue.EINVALID, "请刷身份证或输入案件码 (either a card or a case code)")
	}
	id := normalizeID(q.IDNumber)
	last4 := normalizeID(q.IDLast4)
	if !byCard && !last4Pattern.MatchString(last4) {
		return nil, queue.Errorf(queue.EINVALID, "请输入身份证号码后四位 (the last four characters of the ID number)")
	}
	code, err := NormalizeCode(q.Code)
	if !byCard && err != nil {
		return nil, err
	}
	if p.Role.IsDevice() {
		now := b.now()
		if err := b.limit.take(p.Actor(), DateOf(now, b.hall.Location), now); err != nil {
			return nil, err
		}
	}
	if !byCard {
		return b.inquireCode(ctx, code, last4)
	}
	codes, err := b.store.OpenCodesOf(ctx, b.keys.VisitorKey(id))
	if err != nil {
		return nil, err
	}
	out := []PublicView{}
	for _, code := range codes {
		c, err := b.store.Case(ctx, code)
		if err != nil {
			return nil, err
		}
		if c.Status.Open() {
			out = append(out, kioskView(b.publicView(c)))
		}
	}
	slices.SortFunc(out, func(a, b PublicView) int {
		return cmp.Or(b.Registered.Compare(a.Registered), cmp.Compare(b.Code, a.Code))
	})
	return out[:min(len(out), maxKioskCases)], nil
}

// inquireCode is the case of a code whose party's ID number ends in last4.
func (b *Book) inquireCode(ctx context.Context, code, last4 string) ([]PublicView, error) {
	notFound := queue.Errorf(queue.ENOTFOUND, "没有查到这个事项，请核对案件码和身份证号码后四位 (no such case for these digits)")
	c, err := b.store.Case(ctx, code)
	if errors.Is(err, queue.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	persons, err := b.unseal(c)
	if err != nil {
		return nil, err
	}
	match := 0
	for _, pd := range persons {
		id := normalizeID(pd.IDNumber)
		if len(id) >= 4 {
			match |= subtle.ConstantTimeCompare([]byte(id[len(id)-4:]), []byte(last4))
		}
	}
	if match != 1 {
		return nil, notFound
	}
	return []PublicView{kioskView(b.publicView(c))}, nil
}

// kioskView is the public view as a kiosk's screen shows it: no messages
// (the visitor's own words, for their phone), nothing to rate or send.
func kioskView(v PublicView) PublicView {
	v.Messages, v.CanRate, v.CanTell, v.Satisfaction = nil, false, false, nil
	return v
}
