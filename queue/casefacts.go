package queue

import "time"

// CaseFacts is where a case stands after a step, as far as its time
// limits and statistics need: the days it was registered, accepted,
// concluded and closed and the days those were due, its outcome, and the
// counts of its visits, routings, supervisions, 研判 and 预警. The county's
// hub lists, times and assesses every site's cases from it (queue/county),
// so each case event carries the whole of it: a later event corrects
// whatever an earlier one that was lost would have said.
//
// Days are "2006-01-02" in the hall's zone, "" for none. It holds no
// personal data: no names, no keyed hashes, no staff, no clerk's text —
// and nothing of whom an accusation names. queue/cases fills it (and reads
// it back into its own Facts).
type CaseFacts struct {
	TypeName string `json:"type_name,omitempty"` // the case type in Chinese
	Channel  string `json:"channel,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Referral string `json:"referral,omitempty"`

	Day       string `json:"day,omitempty"` // registered
	AcceptDue string `json:"accept_due,omitempty"`
	Accepted  string `json:"accepted,omitempty"` // accepted (routed), or decided not to accept
	HandleDue string `json:"handle_due,omitempty"`
	Handled   string `json:"handled,omitempty"` // concluded
	Closed    string `json:"closed,omitempty"`
	Extended  bool   `json:"extended,omitempty"`

	Persons      int `json:"persons,omitempty"`       // parties registered
	Visits       int `json:"visits,omitempty"`        // visits (批次), the registration included
	VisitPersons int `json:"visit_persons,omitempty"` // persons over all visits (人次)
	Collective   int `json:"collective,omitempty"`    // visits of five or more people (集体访)

	Routes     int    `json:"routes,omitempty"`
	RouteUnit  string `json:"route_unit,omitempty"` // of the last routing
	Objected   bool   `json:"objected,omitempty"`   // the last assignment was sent back
	Risk       string `json:"risk,omitempty"`       // 研判's risk level
	Major      bool   `json:"major,omitempty"`      // a major or urgent matter
	Meetings   int    `json:"meetings,omitempty"`   // analysis meetings (研判会)
	Warnings   int    `json:"warnings,omitempty"`   // risk warnings sent (预警)
	ReviewOpen bool   `json:"review_open,omitempty"`

	Supervisions     int      `json:"supervisions,omitempty"` // 督办
	AutoSupervisions int      `json:"auto_supervisions,omitempty"`
	LateReplies      int      `json:"late_replies,omitempty"`
	Levels           []string `json:"levels,omitempty"` // the levels of the open supervisions, in opening order

	Satisfaction int8 `json:"satisfaction,omitempty"` // the result's rating: 1 满意, -1 不满意, 0 none

	// TokenHash is the hash of the case's inquiry token (the QR's), never
	// the token: the county's public page finds the case by the token a
	// visitor's phone brings.
	TokenHash string `json:"token_hash,omitempty"`

	// ReportedUp: the site reported the case up to the county (上报,
	// issue 14); nil if it never did.
	ReportedUp *CaseReport `json:"reported_up,omitempty"`
}

// CaseReport is a case's report up to the county (上报): when, why, and
// whether the county has decided it yet. The county owns the case (routes
// and concludes it) until it assigns it back down (交办) or concludes it.
type CaseReport struct {
	At time.Time `json:"at"`
	// Reason is the site supervisor's reason, with the parties' names,
	// ID numbers, phones and addresses and any other ID or mobile number
	// masked before it left the site.
	Reason string `json:"reason"`
	// Settled: "" while the case awaits the county; "assigned" once the
	// county assigned it down, "concluded" once it concluded it.
	Settled string `json:"settled,omitempty"`
}
