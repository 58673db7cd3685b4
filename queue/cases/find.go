package cases

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"strings"
	"time"

	"yiting/queue"
)

// Query selects cases for the case list (/cases). Every field narrows;
// the zero Query is every open case p may see.
type Query struct {
	// Stage: "" every open case; a Status; "all" open and closed.
	Stage   string
	Type    string
	Unit    string
	Channel Channel
	// Due: "" any; "overdue"; "soon" (the auto-supervision warning
	// window); "week" (due within five working days, not overdue).
	Due        string
	Supervised bool // an open supervision
	Mine       bool // staff: only the cases they work on, not all they see
	Risk       Risk // this assessed risk level
	Major      bool // flagged major or urgent
	Review     bool // a 不满意 waiting for the supervisors
	Objected   bool // sent back by the assigned unit: to assign again
	// Text is part of a case code or a masked name ("张*").
	Text string
	// IDNumber finds the cases of a party through the keyed hash; the
	// number itself goes nowhere, and the search is audited.
	IDNumber string
	// From, To bound the registration days of closed cases ("all" and
	// "closed"; "all" lists every open case besides); zero: the last 365
	// days.
	From, To Date
	Limit    int // rows at most; 200 if 0, at most 2000
}

// Row is one case of the list: masked names only.
type Row struct {
	Code        string   `json:"code"`
	Type        string   `json:"type"`
	TypeName    string   `json:"type_name"`
	Unit        string   `json:"unit,omitempty"`
	Channel     Channel  `json:"channel"`
	ChannelName string   `json:"channel_name"`
	Status      Status   `json:"status"`
	StatusName  string   `json:"status_name"`
	Names       []string `json:"names"`
	Handler     string   `json:"handler"` // the counter and clerk or mediator who has it now
	Day         Date     `json:"day"`     // registered
	Due         *Due     `json:"due,omitempty"`
	Level       string   `json:"level,omitempty"` // the most urgent open supervision's level
	LevelName   string   `json:"level_name,omitempty"`
	Sensitive   bool     `json:"sensitive,omitempty"`
	Mine        bool     `json:"mine,omitempty"`
	Risk        Risk     `json:"risk,omitempty"`
	RiskName    string   `json:"risk_name,omitempty"`
	Major       bool     `json:"major,omitempty"`
	Review      bool     `json:"review,omitempty"`
	Objected    bool     `json:"objected,omitempty"`
}

// Counts are how many of the cases p sees, matching the query's type,
// unit, channel and search, fall under each filter of the list.
type Counts struct {
	Stages     map[Status]int `json:"stages"` // open stages; closed too when closed cases were read
	Open       int            `json:"open"`
	Overdue    int            `json:"overdue"`
	Soon       int            `json:"soon"`
	Week       int            `json:"week"`
	Supervised int            `json:"supervised"`
	Mine       int            `json:"mine"`
	HighRisk   int            `json:"high_risk"`
	Major      int            `json:"major"`
	Review     int            `json:"review"`
	Objected   int            `json:"objected"`
}

// Listing is the answer to a Query.
type Listing struct {
	Rows      []Row  `json:"rows"`
	Total     int    `json:"total"` // matching, before the limit
	Counts    Counts `json:"counts"`
	From      Date   `json:"from,omitempty"` // the registration days read for closed cases
	To        Date   `json:"to,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

const (
	findLimit    = 200
	findMaxLimit = 2000
	weekWorkdays = 5
)

// Find lists the cases p may see that match q, what is due first: overdue
// (the latest first), then by due day, then those without a deadline,
// closed ones last (newest first). It reads the cases' Facts, not the
// cases.
func (b *Book) Find(ctx context.Context, p queue.Principal, q Query) (Listing, error) {
	if !supervisor(p) && p.Role != queue.RoleStaff {
		return Listing{}, queue.Errorf(queue.EFORBIDDEN, "无权查看案件 (not allowed to read cases)")
	}
	if q.Limit <= 0 {
		q.Limit = findLimit
	}
	q.Limit = min(q.Limit, findMaxLimit)
	switch q.Stage {
	case "", "all":
	default:
		if s := Status(q.Stage); s.Name() == q.Stage {
			return Listing{}, queue.Errorf(queue.EINVALID, "阶段无效：%q (unknown stage)", q.Stage)
		}
	}
	switch q.Due {
	case "", "overdue", "soon", "week":
	default:
		return Listing{}, queue.Errorf(queue.EINVALID, "期限筛选无效：%q (due must be overdue, soon or week)", q.Due)
	}
	if q.Risk != "" && (q.Risk.Name() == string(q.Risk)) {
		return Listing{}, queue.Errorf(queue.EINVALID, "风险等级无效：%q (risk must be low, medium or high)", q.Risk)
	}
	if q.Channel != "" && !validChannel(q.Channel) {
		return Listing{}, queue.Errorf(queue.EINVALID, "来源渠道无效：%q (unknown channel)", q.Channel)
	}
	q.Text = strings.TrimSpace(q.Text)
	if err := checkText("text", q.Text, 40); err != nil {
		return Listing{}, err
	}
	var keys []string
	if q.IDNumber != "" {
		id := normalizeID(q.IDNumber)
		if e := checkIDNumber(id); e != nil {
			return Listing{}, queue.Errorf(queue.EINVALID, "证件号码有误：%s (bad ID number)", e.zh)
		}
		keys = []string{b.keys.VisitorKey(id)}
		if err := b.auditSearch(ctx, p); err != nil {
			return Listing{}, err
		}
	}

	return b.find(ctx, p, q, keys)
}

// find runs a checked query; keys, if any, are visitor keys of which a
// case must have one.
func (b *Book) find(ctx context.Context, p queue.Principal, q Query, keys []string) (Listing, error) {
	out := Listing{Counts: Counts{Stages: map[Status]int{}}}
	closed := q.Stage == "all" || q.Stage == string(StatusClosed)
	// A search by text or by one visitor key needs only the records that
	// hold it (FactsRange.Containing).
	needle := q.Text
	if len(keys) == 1 {
		needle = keys[0]
	}
	var stale []string // codes whose facts predate the list's fields
	best := &firstRows{limit: q.Limit}
	consider := func(f *Facts) {
		if !f.Listed {
			stale = append(stale, f.Code)
			return
		}
		if d, mine, ok := b.match(p, q, keys, f, &out.Counts); ok {
			best.offer(Row{Code: f.Code, Status: f.Status, Day: f.Day, Due: d}, func() Row { return b.row(f, d, mine) })
		}
	}
	var err error
	if closed {
		out.From, out.To = q.From, q.To
		if out.To == 0 {
			out.To = b.today()
		}
		if out.From == 0 {
			out.From = out.To.AddDays(-364)
		}
		err = b.store.EachFacts(ctx, FactsRange{out.From, out.To, needle, keys == nil}, func(f *Facts) error { consider(f); return ctx.Err() })
		if err == nil && q.Stage == "all" { // and the open cases registered outside the window
			each := func(f *Facts) error { consider(f); return ctx.Err() }
			if err = b.store.OpenFacts(ctx, FactsRange{0, out.From - 1, needle, keys == nil}, each); err == nil {
				err = b.store.OpenFacts(ctx, FactsRange{out.To + 1, AllDays, needle, keys == nil}, each)
			}
		}
	} else {
		err = b.store.OpenFacts(ctx, FactsRange{0, AllDays, needle, keys == nil}, func(f *Facts) error { consider(f); return ctx.Err() })
	}
	if err != nil {
		return Listing{}, err
	}
	for _, code := range stale {
		c, err := b.load(ctx, code)
		if err != nil {
			return Listing{}, err
		}
		consider(new(c.Facts(b.hall.Location)))
	}
	out.Rows, out.Total = best.sorted(), best.seen
	out.Truncated = out.Total > len(out.Rows)
	return out, nil
}

// firstRows keeps the first limit rows in rowOrder of those offered,
// building a row only when it is among them: a year's list sorts and
// builds a page of rows, not every case that matched.
type firstRows struct {
	limit int
	seen  int
	rows  []Row // a heap: the last in rowOrder at the top
}

// offer considers a row by its key (a Row with the fields rowOrder reads)
// and builds it if it is among the first.
func (t *firstRows) offer(key Row, build func() Row) {
	t.seen++
	if len(t.rows) < t.limit {
		heap.Push(t, build())
		return
	}
	if rowOrder(key, t.rows[0]) < 0 {
		t.rows[0] = build()
		heap.Fix(t, 0)
	}
}

func (t *firstRows) sorted() []Row {
	slices.SortFunc(t.rows, rowOrder)
	return t.rows
}

func (t *firstRows) Len() int           { return len(t.rows) }
func (t *firstRows) Less(i, j int) bool { return rowOrder(t.rows[i], t.rows[j]) > 0 }
func (t *firstRows) Swap(i, j int)      { t.rows[i], t.rows[j] = t.rows[j], t.rows[i] }
func (t *firstRows) Push(x any)         { t.rows = append(t.rows, x.(Row)) }
func (t *firstRows) Pop() any {
	x := t.rows[len(t.rows)-1]
	t.rows = t.rows[:len(t.rows)-1]
	return x
}

// match decides one case: may p see it, does it match the query's fixed
// filters (then it is counted), and the stage, due and supervision ones
// (then it is listed, with its deadline's state and whether p works on
// it).
func (b *Book) match(p queue.Principal, q Query, keys []string, f *Facts, n *Counts) (*Due, bool, bool) {
	h := f.holders()
	switch {
	case !b.canSee(p, h):
		return nil, false, false
	case q.Type != "" && f.Type != q.Type:
		return nil, false, false
	case q.Unit != "" && f.Unit != q.Unit:
		return nil, false, false
	case q.Channel != "" && f.Channel != q.Channel:
		return nil, false, false
	case keys != nil && !slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(f.VisitorKeys, k) }):
		return nil, false, false
	case q.Text != "" && !strings.Contains(f.Code, q.Text) && !slices.ContainsFunc(f.Names, func(s string) bool { return strings.Contains(s, q.Text) }):
		return nil, false, false
	}
	d := b.dueOf(f.Pending())
	mine := b.involved(p, h)
	week := d != nil && d.State != "overdue" && d.WorkdaysLeft <= weekWorkdays
	n.Stages[f.Status]++
	if f.Status.Open() {
		n.Open++
	}
	if d != nil && d.State == "overdue" {
		n.Overdue++
	}
	if d != nil && d.State == "soon" {
		n.Soon++
	}
	if week {
		n.Week++
	}
	if len(f.Levels) > 0 {
		n.Supervised++
	}
	if mine {
		n.Mine++
	}
	if f.Risk == RiskHigh {
		n.HighRisk++
	}
	if f.Major {
		n.Major++
	}
	if f.ReviewOpen {
		n.Review++
	}
	if f.Objected && f.Status.Open() {
		n.Objected++
	}
	switch {
	case q.Stage == "" && !f.Status.Open(),
		q.Stage != "" && q.Stage != "all" && string(f.Status) != q.Stage,
		q.Due == "overdue" && (d == nil || d.State != "overdue"),
		q.Due == "soon" && (d == nil || d.State != "soon"),
		q.Due == "week" && !week,
		q.Supervised && len(f.Levels) == 0,
		q.Mine && !mine,
		q.Risk != "" && f.Risk != q.Risk, q.Major && !f.Major, q.Review && !f.ReviewOpen, q.Objected && !f.Objected:
		return nil, false, false
	}
	return d, mine, true
}

// row builds the list's row of a case.
func (b *Book) row(f *Facts, d *Due, mine bool) Row {
	r := Row{Code: f.Code, Type: f.Type, TypeName: b.typeName(f.Type, f.ServiceID), Unit: f.Unit,
		Channel: f.Channel, ChannelName: f.Channel.Name(), Status: f.Status, StatusName: f.Status.Name(),
		Names: slices.Clone(f.Names), Handler: b.holderName(f.holders()), Day: f.Day, Due: d,
		Sensitive: b.Sensitive(f.Type), Mine: mine, Risk: f.Risk, Major: f.Major, Review: f.ReviewOpen, Objected: f.Objected}
	if f.Risk != "" {
		r.RiskName = f.Risk.Name()
	}
	r.Level, r.LevelName = MostUrgent(f.Levels, b.notices)
	return r
}

// holderName names who has the case now: the last routing's counter and
// mediator (its unit when it went to a unit alone), else the receiving
// counter and clerk.
func (b *Book) holderName(h holders) string {
	var parts []string
	add := func(s string) {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if h.RouteUnit != "" || h.RouteCounter != "" || h.Staff != "" {
		if h.RouteCounter != "" {
			add(b.counterName(h.RouteCounter))
		}
		add(h.Staff)
		if len(parts) == 0 {
			add(h.RouteUnit)
		}
	} else {
		if h.HandlerCounter != "" {
			add(b.counterName(h.HandlerCounter))
		}
		add(h.HandlerStaff)
	}
	return strings.Join(parts, " · ")
}

// rowOrder: open before closed; overdue first, the latest first; then by
// due day; then without a deadline; then by registration. Closed cases
// newest first.
func rowOrder(x, y Row) int {
	if x.Status.Open() != y.Status.Open() {
		if x.Status.Open() {
			return -1
		}
		return 1
	}
	if !x.Status.Open() {
		return cmp.Or(-cmp.Compare(x.Day, y.Day), -cmp.Compare(x.Code, y.Code))
	}
	rank := func(r Row) (int, int, Date) {
		switch {
		case r.Due == nil:
			return 2, 0, 0
		case r.Due.State == "overdue":
			return 0, r.Due.WorkdaysLeft, r.Due.Date
		}
		return 1, 0, r.Due.Date
	}
	xa, xb, xc := rank(x)
	ya, yb, yc := rank(y)
	return cmp.Or(cmp.Compare(xa, ya), cmp.Compare(xb, yb), cmp.Compare(xc, yc), cmp.Compare(x.Day, y.Day), cmp.Compare(x.Code, y.Code))
}

// auditSearch records that p searched the cases by an ID number (the
// number is not kept): it tells who looked for whom in the audit log.
func (b *Book) auditSearch(ctx context.Context, p queue.Principal) error {
	_, err := run(ctx, b, func(tx *queue.Tx) (struct{}, error) {
		tx.Write("audit search "+p.Actor()+" "+tx.Now().Format(time.RFC3339Nano), &Write{Audit: []AuditEntry{{
			At: tx.Now(), Actor: p.Actor(), Role: string(p.Role), Action: "search", Fields: "id_number", Reason: "按证件号码查找案件"}}})
		return struct{}{}, nil
	})
	return err
}

// Related lists the other cases of the parties of a case that p may see:
// the open ones and those registered in the last year, what is due first.
// The clerk who calls a returning visitor sees what else they came for.
func (b *Book) Related(ctx context.Context, p queue.Principal, code string) ([]Row, error) {
	c, err := b.load(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := b.checkSee(p, c); err != nil {
		return nil, err
	}
	keys := c.VisitorKeys()
	if len(keys) == 0 {
		return []Row{}, nil
	}
	l, err := b.find(ctx, p, Query{Stage: "all", Limit: findMaxLimit}, keys)
	if err != nil {
		return nil, err
	}
	out := []Row{}
	for _, r := range l.Rows {
		if r.Code != c.Code {
			out = append(out, r)
		}
	}
	return out, nil
}
