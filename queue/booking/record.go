package booking

import (
	"time"

	"yiting/queue/cases"
)

// Channel is how a booking was made.
type Channel string

// Channels.
const (
	ChannelPublic  Channel = "public"  // the hall's public booking page
	ChannelCase    Channel = "case"    // the public page of the visitor's case (the ticket's QR)
	ChannelDesk    Channel = "desk"    // staff at the desk, the visitor present
	ChannelPhone   Channel = "phone"   // staff, the visitor on the phone
	ChannelSession Channel = "session" // a mediator scheduling a session for a case
)

// Public reports whether the visitor booked it themselves.
func (c Channel) Public() bool { return c == ChannelPublic || c == ChannelCase }

// Name is the channel in Chinese.
func (c Channel) Name() string {
	switch c {
	case ChannelPublic:
		return "网上预约"
	case ChannelCase:
		return "案件页面预约"
	case ChannelDesk:
		return "窗口预约"
	case ChannelPhone:
		return "电话预约"
	case ChannelSession:
		return "调解员安排"
	}
	return string(c)
}

// PartyStatus is where one booked person stands.
type PartyStatus string

// Party statuses: booked (not yet come), arrived (ticket issued), lapsed
// (came later than the late window: offered a walk-in ticket), noshow
// (never came within the window).
const (
	PartyBooked  PartyStatus = "booked"
	PartyArrived PartyStatus = "arrived"
	PartyLapsed  PartyStatus = "lapsed"
	PartyNoShow  PartyStatus = "noshow"
)

// Name is the status in Chinese.
func (s PartyStatus) Name() string {
	switch s {
	case PartyBooked:
		return "待到达"
	case PartyArrived:
		return "已到达"
	case PartyLapsed:
		return "迟到失效"
	case PartyNoShow:
		return "未到（爽约）"
	}
	return string(s)
}

// Party is one booked person: masked for screens, sealed at rest, a keyed
// hash of the ID number for a card tap, a code of their own to type.
type Party struct {
	MaskedName  string `json:"mn"`
	MaskedID    string `json:"mi,omitempty"`
	MaskedPhone string `json:"mp,omitempty"`
	VisitorKey  string `json:"vk,omitempty"`
	SealedName  []byte `json:"sn"`
	SealedID    []byte `json:"si,omitempty"`
	SealedPhone []byte `json:"sp,omitempty"`
	// CodeKey is the keyed hash of the party's booking code (the index
	// a typed code is found by); SealedCode lets staff tell it again.
	CodeKey    string `json:"ck"`
	SealedCode []byte `json:"sc"`

	Status    PartyStatus `json:"st"`
	At        time.Time   `json:"at,omitzero"` // arrival, lapse or no-show
	Ticket    string      `json:"tk,omitempty"`
	TicketID  uint64      `json:"ti,omitempty"`
	Reminded  time.Time   `json:"rm,omitzero"` // the reminder went out
	RemindErr string      `json:"re,omitempty"`
}

// Booking is one booked slot: a visitor's, or a session with all the
// parties of a case.
type Booking struct {
	ID        string     `json:"id"` // random, never the code
	Plan      string     `json:"plan"`
	ServiceID string     `json:"service"`
	CounterID string     `json:"counter,omitempty"`
	Day       cases.Date `json:"day"`
	Start     time.Time  `json:"start"`
	End       time.Time  `json:"end"`
	CaseCode  string     `json:"case,omitempty"`
	Channel   Channel    `json:"channel"`
	Parties   []Party    `json:"parties"`
	Note      string     `json:"note,omitempty"` // no personal data: staff screens
	By        string     `json:"by"`
	At        time.Time  `json:"at"`
	Moves     int        `json:"moves,omitempty"`
	// Cancelled is when it was cancelled (its places freed), and why.
	Cancelled    time.Time `json:"cancelled,omitzero"`
	CancelReason string    `json:"cancel_reason,omitempty"`
	CancelledBy  string    `json:"cancelled_by,omitempty"`
}

// Active reports whether the booking holds its place.
func (b *Booking) Active() bool { return b.Cancelled.IsZero() }

func (b *Booking) clone() *Booking {
	cp := *b
	cp.Parties = append([]Party(nil), b.Parties...)
	return &cp
}

// View is a booking as staff screens and the API show it: masked, no
// sealed value, no code.
type View struct {
	ID        string      `json:"id"`
	Plan      string      `json:"plan"`
	PlanName  string      `json:"plan_name"`
	ServiceID string      `json:"service"`
	CounterID string      `json:"counter,omitempty"`
	Room      string      `json:"room,omitempty"`
	Day       string      `json:"day"`
	Start     time.Time   `json:"start"`
	End       time.Time   `json:"end"`
	CaseCode  string      `json:"case,omitempty"`
	Channel   Channel     `json:"channel"`
	Parties   []PartyView `json:"parties"`
	Note      string      `json:"note,omitempty"`
	By        string      `json:"by"`
	Cancelled bool        `json:"cancelled,omitempty"`
	Reason    string      `json:"cancel_reason,omitempty"`
}

// PartyView is a party, masked.
type PartyView struct {
	MaskedName  string      `json:"masked_name"`
	MaskedID    string      `json:"masked_id,omitempty"`
	MaskedPhone string      `json:"masked_phone,omitempty"`
	Status      PartyStatus `json:"status"`
	StatusName  string      `json:"status_name"`
	At          time.Time   `json:"at,omitzero"`
	Ticket      string      `json:"ticket,omitempty"`
}
