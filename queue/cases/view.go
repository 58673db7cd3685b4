package cases

import (
	"time"
)

// PartyView is a party as every screen, export and log shows it: masked.
type PartyView struct {
	Name     string `json:"name"`
	ID       string `json:"id_number,omitempty"`
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	CardType string `json:"card_type,omitempty"`
}

// Due is the deadline a case works towards now and how it stands.
type Due struct {
	Which     string `json:"which"` // "accept" or "handle"
	WhichName string `json:"which_name"`
	Date      Date   `json:"date"`
	// State is "ok", "soon" (within the auto-supervision warning
	// window) or "overdue" (the due day has ended).
	State string `json:"state"`
	// WorkdaysLeft counts the working days after today up to the due
	// day; negative: working days overdue.
	WorkdaysLeft int `json:"workdays_left"`
}

// SupervisionView is a supervision with its level's name and state.
type SupervisionView struct {
	Supervision
	LevelName string `json:"level_name"`
	Open      bool   `json:"open"`
	Late      bool   `json:"late"` // unanswered past its reply day, or answered after it
}

// View is a case as staff see it: every personal field masked, no
// sealed data, no visitor keys, no inquiry token.
type View struct {
	Code         string            `json:"code"`
	Type         string            `json:"type"`
	TypeName     string            `json:"type_name"`
	ServiceID    string            `json:"service"`
	Unit         string            `json:"unit,omitempty"`
	Channel      Channel           `json:"channel"`
	ChannelName  string            `json:"channel_name"`
	Summary      string            `json:"summary,omitempty"`
	Status       Status            `json:"status"`
	StatusName   string            `json:"status_name"`
	NextStep     string            `json:"next_step"`
	Sensitive    bool              `json:"sensitive,omitempty"`
	Persons      []PartyView       `json:"persons"`
	Registered   time.Time         `json:"registered"`
	RegisteredBy string            `json:"registered_by"`
	Handler      Handler           `json:"handler,omitzero"`
	Routes       []Route           `json:"routes,omitempty"`
	AcceptedAt   time.Time         `json:"accepted_at,omitzero"`
	HandlingAt   time.Time         `json:"handling_at,omitzero"`
	HandledAt    time.Time         `json:"handled_at,omitzero"`
	ClosedAt     time.Time         `json:"closed_at,omitzero"`
	Outcome      Outcome           `json:"outcome,omitempty"`
	OutcomeName  string            `json:"outcome_name,omitempty"`
	Referral     Referral          `json:"referral,omitempty"`
	OutcomeNote  string            `json:"outcome_note,omitempty"`
	Limit        Limit             `json:"limit,omitzero"`
	AcceptDue    Date              `json:"accept_due,omitempty"`
	HandleDue    Date              `json:"handle_due,omitempty"`
	Extension    *Extension        `json:"extension,omitempty"`
	Due          *Due              `json:"due,omitempty"`
	Records      []Record          `json:"records,omitempty"`
	Supervisions []SupervisionView `json:"supervisions,omitempty"`
	// Visits and History are the case's journal: in the view of one case;
	// a list's views (ListFilter) leave them out, VisitCount says how many.
	Visits       []Visit       `json:"visits,omitempty"`
	VisitCount   int           `json:"visit_count"`
	Satisfaction *Satisfaction `json:"satisfaction,omitempty"`
	History      []Step        `json:"history,omitempty"`
	Anonymised   time.Time     `json:"anonymised,omitzero"`
	Risk         Risk          `json:"risk,omitempty"`
	RiskName     string        `json:"risk_name"`
	Meetings     []Meeting     `json:"meetings,omitempty"`
	Warnings     []Warning     `json:"warnings,omitempty"`
	Major        *Flag         `json:"major,omitempty"`
	Review       *Review       `json:"review,omitempty"`
	Accused      *Accusation   `json:"accused,omitempty"`
	Recusals     []Recusal     `json:"recusals,omitempty"`
	Messages     []Message     `json:"messages,omitempty"`
	// ConfirmBy: the parties' last day to apply for 司法确认 of the
	// mediation agreement (人民调解法 Art. 33), if there is one.
	ConfirmBy Date `json:"confirm_by,omitempty"`
	// ReviewBy: the petitioner's last day to ask for the review the
	// handling opinion may be challenged by, named ReviewName (复查 or
	// 复核, 信访工作条例 Art. 35–36), once concluded with an answer.
	ReviewBy   Date   `json:"review_by,omitempty"`
	ReviewName string `json:"review_name,omitempty"`
	// Pauses: the time the handling limit does not count; Paused: the
	// clock is stopped now.
	Pauses []Pause `json:"pauses,omitempty"`
	Paused bool    `json:"paused,omitempty"`
	// Escalation: reported up to the county centre (上报); CountyOwns:
	// the county has not decided it yet, and routes and concludes it.
	Escalation *Escalation `json:"escalation,omitempty"`
	CountyOwns bool        `json:"county_owns,omitempty"`
}

// MaskedNames lists the parties' masked names.
func (v View) MaskedNames() []string {
	out := make([]string, len(v.Persons))
	for i, p := range v.Persons {
		out[i] = p.Name
	}
	return out
}

func (b *Book) view(c *Case) View {
	v := View{
		Code: c.Code, Type: c.Type, TypeName: b.typeName(c.Type, c.ServiceID), ServiceID: c.ServiceID, Unit: c.Unit,
		Channel: c.Channel, ChannelName: c.Channel.Name(), Summary: c.Summary,
		Status: c.Status, StatusName: c.Status.Name(), NextStep: b.nextStep(c), Sensitive: b.Sensitive(c.Type),
		Persons:    make([]PartyView, len(c.Persons)),
		Registered: c.Registered, RegisteredBy: c.RegisteredBy,
		Handler: c.Handler, Routes: c.Routes,
		AcceptedAt: c.AcceptedAt, HandlingAt: c.HandlingAt, HandledAt: c.HandledAt, ClosedAt: c.ClosedAt,
		Outcome: c.Outcome, OutcomeName: c.Outcome.Name(), Referral: c.Referral, OutcomeNote: c.OutcomeNote,
		Limit: c.Limit, AcceptDue: c.AcceptDue, HandleDue: c.HandleDue, Extension: c.Extension,
		Due:     b.due(c),
		Records: c.Records, Visits: c.Visits, VisitCount: c.Journal.Visits + len(c.Visits) - c.storedVisits, Satisfaction: c.Satisfaction, History: c.History, Anonymised: c.Anonymised,
		Risk: c.Risk, RiskName: c.Risk.Name(), Meetings: c.Meetings, Warnings: c.Warnings, Major: c.Major, Review: c.Review,
		Accused: c.Accused, Recusals: c.Recusals, Messages: c.Messages, ConfirmBy: b.confirmBy(c),
		Pauses: c.Pauses, Paused: c.Paused() != nil, Escalation: c.Escalation, CountyOwns: b.ownedByCounty(c),
	}
	if v.ReviewBy = b.reviewBy(c); v.ReviewBy != 0 {
		v.ReviewName = c.Limit.Review
	}
	for i, p := range c.Persons {
		v.Persons[i] = PartyView{Name: p.MaskedName, ID: p.MaskedID, Address: p.MaskedAddress, Phone: p.MaskedPhone, CardType: p.CardType}
	}
	now := b.now()
	for _, s := range c.Supervisions {
		v.Supervisions = append(v.Supervisions, SupervisionView{Supervision: s, LevelName: b.levelName(s.Level), Open: s.open(), Late: s.late(now, b.hall.Location)})
	}
	return v
}

// due computes the pending deadline's state now.
func (b *Book) due(c *Case) *Due { return b.dueOf(c.Pending()) }

// dueOf computes the state now of a pending deadline (Case.Pending).
func (b *Book) dueOf(which string, date Date) *Due {
	return DueOf(which, date, b.now(), b.hall.Location, b.cal(), b.auto.SoonWithin)
}

// DueOf is the state at now of a pending deadline (Case.Pending,
// Facts.Pending; nil when which is ""): overdue once the due day has ended
// in loc (Civil Code Art. 203), "soon" within soonWithin working days of
// cal, else "ok".
func DueOf(which string, date Date, now time.Time, loc *time.Location, cal *Calendar, soonWithin int) *Due {
	if which == "" {
		return nil
	}
	d := &Due{Which: which, Date: date, WhichName: "办理期限"}
	if which == "accept" {
		d.WhichName = "受理期限"
	}
	today := DateOf(now, loc)
	switch {
	case !now.Before(date.End(loc)):
		d.State = "overdue"
		d.WorkdaysLeft = -cal.WorkdaysBetween(date, today)
	default:
		d.WorkdaysLeft = cal.WorkdaysBetween(today, date)
		d.State = "ok"
		if d.WorkdaysLeft <= soonWithin {
			d.State = "soon"
		}
	}
	return d
}

func (b *Book) counterName(id string) string {
	if c, ok := b.hall.Counter(id); ok {
		return c.Name
	}
	return id
}

// nextStep says in Chinese what happens next, for staff and the visitor.
func (b *Book) nextStep(c *Case) string {
	if b.ownedByCounty(c) {
		return "已上报县综治中心，等待县级交办或办结"
	}
	switch c.Status {
	case StatusRegistered:
		return "已登记，请留意叫号，到窗口接待"
	case StatusReceived:
		return "已接待，等待受理分流"
	case StatusRouted:
		r, _ := c.Route()
		switch {
		case c.Limit.Procedure != "" && r.Unit != "":
			return "已导入法定程序，交" + r.Unit + "依法办理"
		case c.Paused() != nil:
			return "已受理，" + c.Paused().Kind.Name() + "期间暂停计时"
		case r.CounterID != "":
			return "已受理，交" + b.counterName(r.CounterID) + "办理"
		case r.Unit != "":
			return "已受理，交" + r.Unit + "办理"
		}
		return "已受理，等待调处"
	case StatusHandling:
		if ps := c.Paused(); ps != nil {
			return "正在办理，" + ps.Kind.Name() + "期间暂停计时"
		}
		return "正在调处办理"
	case StatusFollowUp:
		return "已办结，等待回访"
	case StatusClosed:
		return "已终结：" + c.Outcome.Name()
	}
	return ""
}

// PublicView is what the inquiry page shows the visitor: no personal
// data beyond the first party's masked name, no notes or records.
type PublicView struct {
	Code         string        `json:"code"`
	TypeName     string        `json:"type_name"`
	Registered   time.Time     `json:"registered"`
	Status       Status        `json:"status"`
	StatusName   string        `json:"status_name"`
	NextStep     string        `json:"next_step"`
	MaskedName   string        `json:"masked_name,omitempty"`
	Due          *Due          `json:"due,omitempty"`
	Contact      string        `json:"contact,omitempty"`  // the window or room to go to
	Location     string        `json:"location,omitempty"` // where it is
	Unit         string        `json:"unit,omitempty"`
	OutcomeName  string        `json:"outcome_name,omitempty"`
	CanRate      bool          `json:"can_rate"`
	Satisfaction *Satisfaction `json:"satisfaction,omitempty"`
	// The visitor's questions and material, with the answers; whether
	// more may be sent (not once anonymised).
	Messages []PublicMessage `json:"messages,omitempty"`
	CanTell  bool            `json:"can_tell"`
}

func (b *Book) publicView(c *Case) PublicView {
	v := PublicView{
		Code: c.Code, TypeName: b.typeName(c.Type, c.ServiceID), Registered: c.Registered,
		Status: c.Status, StatusName: c.Status.Name(), NextStep: b.nextStep(c), Due: b.due(c),
		Unit: c.Unit, Satisfaction: c.Satisfaction,
		CanRate:  c.Status == StatusClosed && c.Satisfaction == nil && c.Outcome != OutcomeWithdrawn,
		Messages: publicMessages(c), CanTell: c.Anonymised.IsZero(),
	}
	if len(c.Persons) > 0 {
		v.MaskedName = c.Persons[0].MaskedName
	}
	if c.Status == StatusClosed {
		v.OutcomeName = c.Outcome.Name()
	}
	counter := c.Handler.CounterID
	if r, ok := c.Route(); ok && r.CounterID != "" {
		counter = r.CounterID
	}
	if ct, ok := b.hall.Counter(counter); ok {
		v.Contact, v.Location = ct.Name, ct.Location
		if v.Unit == "" {
			v.Unit = ct.Unit
		}
	}
	return v
}
