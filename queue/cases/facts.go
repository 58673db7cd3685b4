package cases

import "time"

// Facts is what the statistics need of a case, small enough that a year
// of a busy hall is read in well under a second: the store keeps it beside
// the case, written in the same transaction, and EachFacts reads only it.
type Facts struct {
	Code         string
	Type         string
	ServiceID    string
	Unit         string
	Channel      Channel
	Status       Status
	Outcome      Outcome
	Referral     Referral
	Day          Date // registered
	AcceptDue    Date
	Accepted     Date // accepted (routed), or decided not to accept
	HandleDue    Date
	Handled      Date // concluded
	Closed       Date
	Persons      int // parties registered
	Visits       int // visits (批次), the registration included
	VisitPersons int // persons over all visits (人次)
	VisitorKeys  []string
	Satisfaction int8 // 1 满意, -1 不满意, 0 not rated
	Supervisions int
	AutoSupervis int // of which automatic
	LateReplies  int // supervisions answered after their reply day
	Routes       int
	Extended     bool

	// What the case list shows and decides access by (holders), so that
	// a list of a year's cases decodes no case. Listed is false for a
	// record written before these were kept: read the case instead.
	Listed         bool
	Names          []string // the parties' masked names
	HandlerCounter string
	HandlerStaff   string
	RouteUnit      string // of the last routing
	RouteCounter   string
	RouteStaff     string
	Levels         []string // the levels of the open supervisions, in opening order
	Risk           Risk
	Major          bool // flagged major or urgent
	Meetings       int  // analysis meetings (研判)
	Warnings       int  // risk warnings sent (预警)
	ReviewOpen     bool // a 不满意 waits for the supervisors
	Objected       bool // the last assignment was sent back: to assign again
	Collective     int  // visits of five or more people (集体访, 信访工作条例 Art. 20)
	AccusedUnit    string
	AccusedStaff   string
	Recused        []string
}

// collectiveSize is the size from which a visit is a collective one
// (集体访): five or more people.
const collectiveSize = 5

// Facts derives the Facts of c; dates are days in loc (the hall's zone).
func (c *Case) Facts(loc *time.Location) Facts {
	day := func(t time.Time) Date {
		if t.IsZero() {
			return 0
		}
		return DateOf(t, loc)
	}
	f := Facts{
		Code: c.Code, Type: c.Type, ServiceID: c.ServiceID, Unit: c.Unit, Channel: c.Channel, Status: c.Status,
		Outcome: c.Outcome, Referral: c.Referral, Day: c.Day,
		AcceptDue: c.AcceptDue, Accepted: day(c.AcceptedAt), HandleDue: c.HandleDue, Handled: day(c.HandledAt),
		Closed: day(c.ClosedAt), Persons: len(c.Persons), Visits: c.Journal.Visits, VisitorKeys: c.VisitorKeys(),
		VisitPersons: c.Journal.VisitPersons, Collective: c.Journal.Collective,
		Supervisions: len(c.Supervisions), Routes: len(c.Routes), Extended: c.Extension != nil,
		Listed: true, HandlerCounter: c.Handler.CounterID, HandlerStaff: c.Handler.StaffID,
	}
	if r, ok := c.Route(); ok {
		f.RouteUnit, f.RouteCounter, f.RouteStaff = r.Unit, r.CounterID, r.StaffID
		f.Objected = !r.ObjectedAt.IsZero()
	}
	if a := c.Accused; a != nil {
		f.AccusedUnit, f.AccusedStaff = a.Unit, a.Staff
	}
	for _, r := range c.Recusals {
		f.Recused = append(f.Recused, r.Staff)
	}
	f.Risk, f.Major, f.Meetings, f.Warnings, f.ReviewOpen = c.Risk, c.Major != nil, len(c.Meetings), len(c.Warnings), c.Review.Open()
	for _, p := range c.Persons {
		f.Names = append(f.Names, p.MaskedName)
	}
	if f.Accepted == 0 && c.Outcome == OutcomeNotAccepted {
		f.Accepted = f.Closed // the decision not to accept is the answer the limit asks for
	}
	if c.Satisfaction != nil {
		f.Satisfaction = -1
		if c.Satisfaction.Satisfied {
			f.Satisfaction = 1
		}
	}
	for _, s := range c.Supervisions {
		if s.open() {
			f.Levels = append(f.Levels, s.Level)
		}
		if s.Auto {
			f.AutoSupervis++
		}
		if !s.RepliedAt.IsZero() && !s.RepliedAt.Before(s.ReplyDue.End(loc)) {
			f.LateReplies++
		}
	}
	return f
}
