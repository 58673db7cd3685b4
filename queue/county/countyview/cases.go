package countyview

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
)

// CaseQuery selects open cases across the county. Every field narrows;
// the zero CaseQuery is every open case.
type CaseQuery struct {
	Site    string // a site id
	Unit    string // the unit responsible now
	Stage   string // an open cases.Status ("registered" … "followup")
	Overdue bool   // only those past their pending due day
	// Reported: only those a site reported up (上报) that wait for the
	// county's decision (交办 or 办结).
	Reported bool
	Limit    int // rows at most; 500 if 0, at most 5000
}

// Case list limits.
const (
	caseLimit    = 500
	caseMaxLimit = 5000
)

// CaseRow is one case of the county's list. It carries no personal
// data: the events have none.
type CaseRow struct {
	Site        string     `json:"site"`
	SiteName    string     `json:"site_name"`
	Code        string     `json:"code"`
	Type        string     `json:"type"`
	TypeName    string     `json:"type_name"`
	Status      string     `json:"status"`
	StatusName  string     `json:"status_name"`
	Unit        string     `json:"unit,omitempty"`
	Channel     string     `json:"channel,omitempty"`
	ChannelName string     `json:"channel_name,omitempty"`
	Day         cases.Date `json:"day,omitempty"` // registered
	Due         *cases.Due `json:"due,omitempty"` // the pending deadline and its state now
	Level       string     `json:"level,omitempty"`
	LevelName   string     `json:"level_name,omitempty"` // the most urgent open supervision (督办)
	Risk        string     `json:"risk,omitempty"`
	RiskName    string     `json:"risk_name,omitempty"` // 研判
	Warnings    int        `json:"warnings,omitempty"`  // 预警
	Major       bool       `json:"major,omitempty"`
	Sensitive   bool       `json:"sensitive,omitempty"`
	Restricted  bool       `json:"restricted,omitempty"`
	// Reported: the site reported it up (上报) and it waits for the
	// county to assign it down or conclude it.
	Reported bool      `json:"reported,omitempty"`
	Updated  time.Time `json:"updated"` // the last step's time at the site
}

// CaseCounts are how many open cases of the query's site and unit there
// are in each stage, overdue, under supervision and reported up, whatever
// the stage, overdue and reported filters.
type CaseCounts struct {
	Open       int            `json:"open"`
	Overdue    int            `json:"overdue"`
	Supervised int            `json:"supervised"` // an open supervision (督办)
	HighRisk   int            `json:"high_risk"`
	Major      int            `json:"major"`
	Reported   int            `json:"reported"` // reported up, waiting for the county (上报)
	Stages     map[string]int `json:"stages"`
}

// CaseList is the answer to a CaseQuery: overdue first (the longest
// overdue first), then by due day, then by registration.
type CaseList struct {
	Rows      []CaseRow  `json:"rows"`
	Total     int        `json:"total"` // matching, before the limit
	Truncated bool       `json:"truncated,omitempty"`
	Counts    CaseCounts `json:"counts"`
}

// Cases lists the open cases that match q.
func (m *Model) Cases(ctx context.Context, q CaseQuery) (CaseList, error) {
	if q.Stage != "" && (!cases.Status(q.Stage).Open() || cases.Status(q.Stage).Name() == q.Stage) {
		return CaseList{}, queue.Errorf(queue.EINVALID, "阶段无效：%q（应为 registered、received、routed、handling 或 followup）", q.Stage)
	}
	if q.Limit <= 0 {
		q.Limit = caseLimit
	}
	q.Limit = min(q.Limit, caseMaxLimit)
	list := CaseList{Rows: []CaseRow{}, Counts: CaseCounts{Stages: map[string]int{}}}
	err := m.db.View(func(tx *bolt.Tx) error {
		return m.eachOpen(ctx, tx, q.Site, func(row CaseRow) {
			if q.Unit != "" && row.Unit != q.Unit {
				return
			}
			list.Counts.add(row)
			if (q.Stage != "" && row.Status != q.Stage) || (q.Overdue && !row.overdue()) || (q.Reported && !row.Reported) {
				return
			}
			list.Rows = append(list.Rows, row)
		})
	})
	if err != nil {
		return CaseList{}, err
	}
	slices.SortFunc(list.Rows, rowOrder)
	list.Total = len(list.Rows)
	if len(list.Rows) > q.Limit {
		list.Rows, list.Truncated = list.Rows[:q.Limit], true
	}
	return list, nil
}

// eachOpen calls fn with the row of each open case of a site ("": of
// every site) at now.
func (m *Model) eachOpen(ctx context.Context, tx *bolt.Tx, site string, fn func(CaseRow)) error {
	now := m.now()
	return eachCase(ctx, tx, bucketOpen, site, func(rec *caseRec) error {
		row, err := m.row(rec, now)
		if err == nil {
			fn(row)
		}
		return err
	})
}

// eachCase calls fn with each case of a site ("": of every site) whose
// key is in bucket: bucketCases (all of them) or bucketOpen.
func eachCase(ctx context.Context, tx *bolt.Tx, bucket []byte, site string, fn func(*caseRec) error) error {
	var prefix []byte
	if site != "" {
		prefix = append([]byte(site), 0)
	}
	c := tx.Bucket(bucket).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := getCase(tx, k)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// add counts an open case.
func (n *CaseCounts) add(r CaseRow) {
	n.Open++
	n.Stages[r.Status]++
	if r.overdue() {
		n.Overdue++
	}
	if r.Level != "" {
		n.Supervised++
	}
	if r.Risk == string(cases.RiskHigh) {
		n.HighRisk++
	}
	if r.Major {
		n.Major++
	}
	if r.Reported {
		n.Reported++
	}
}

// overdue reports whether the case's pending due day has ended.
func (r *CaseRow) overdue() bool { return r.Due != nil && r.Due.State == "overdue" }

// rowOrder: overdue first, the longest overdue first; then by due day,
// cases without one last; then by registration, site and code.
func rowOrder(x, y CaseRow) int {
	xo, yo := x.overdue(), y.overdue()
	switch {
	case xo != yo:
		if xo {
			return -1
		}
		return 1
	case (x.Due == nil) != (y.Due == nil):
		if x.Due == nil {
			return 1
		}
		return -1
	case x.Due != nil && x.Due.Date != y.Due.Date:
		return cmp.Compare(x.Due.Date, y.Due.Date)
	}
	return cmp.Or(cmp.Compare(x.Day, y.Day), cmp.Compare(x.Site, y.Site), cmp.Compare(x.Code, y.Code))
}

// CaseDetail is one case at the county with its timeline as its site
// reported it, oldest first.
type CaseDetail struct {
	CaseRow
	Facts    *queue.CaseFacts `json:"facts,omitempty"`
	Timeline []Step           `json:"timeline"`
}

// Case returns a case of a site with its timeline. It returns an error of
// code ENOTFOUND when the county has no such case.
func (m *Model) Case(ctx context.Context, site, code string) (*CaseDetail, error) {
	var d *CaseDetail
	err := m.db.View(func(tx *bolt.Tx) error {
		k := key([]byte(site), []byte(code))
		rec, err := getCase(tx, k)
		if err != nil {
			return err
		}
		row, err := m.row(rec, m.now())
		if err != nil {
			return err
		}
		d = &CaseDetail{CaseRow: row, Facts: rec.Step.Facts, Timeline: []Step{}}
		prefix := append(k, 0)
		c := tx.Bucket(bucketSteps).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var s Step
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("countyview: a step of case %s: %w", code, err)
			}
			d.Timeline = append(d.Timeline, s)
		}
		return ctx.Err()
	})
	return d, err
}

// CaseByToken returns the case whose inquiry token has that hash
// (cases.TokenHash), for the county's public page; ENOTFOUND when no site
// reported one.
func (m *Model) CaseByToken(ctx context.Context, hash string) (*CaseDetail, error) {
	var site, code string
	err := m.db.View(func(tx *bolt.Tx) error {
		k := tx.Bucket(bucketTokens).Get([]byte(hash))
		if k == nil {
			return queue.Errorf(queue.ENOTFOUND, "没有找到这件事项：请核对二维码，或到受理的综治中心查询")
		}
		s, c, _ := bytes.Cut(k, []byte{0})
		site, code = string(s), string(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m.Case(ctx, site, code)
}

// getCase reads the case under key k, or ENOTFOUND.
func getCase(tx *bolt.Tx, k []byte) (*caseRec, error) {
	v := tx.Bucket(bucketCases).Get(k)
	if v == nil {
		return nil, queue.Errorf(queue.ENOTFOUND, "县级平台没有这个案件（可能尚未上报）")
	}
	rec := new(caseRec)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fmt.Errorf("countyview: case %q: %w", k, err)
	}
	return rec, nil
}

// row builds a case's row at now.
func (m *Model) row(rec *caseRec, now time.Time) (CaseRow, error) {
	f, err := cases.FactsOf(&rec.Step)
	if err != nil {
		return CaseRow{}, err
	}
	s := &rec.Step
	r := CaseRow{Site: rec.Site, SiteName: m.siteName(rec.Site), Code: s.Code, Type: s.Type, TypeName: s.Type,
		Status: s.Status, StatusName: f.Status.Name(), Unit: s.Unit, Day: f.Day, Major: f.Major, Warnings: f.Warnings,
		Sensitive: s.Sensitive, Restricted: s.Restricted, Updated: rec.Updated}
	if s.Facts != nil && s.Facts.TypeName != "" {
		r.TypeName = s.Facts.TypeName
	}
	if f.Channel != "" {
		r.Channel, r.ChannelName = string(f.Channel), f.Channel.Name()
	}
	if s.Facts != nil && s.Facts.ReportedUp != nil {
		r.Reported = s.Facts.ReportedUp.Settled == "" && f.Status.Open()
	}
	if f.Risk != "" {
		r.Risk, r.RiskName = string(f.Risk), f.Risk.Name()
	}
	r.Level, r.LevelName = cases.MostUrgent(f.Levels, m.notices)
	which, due := f.Pending()
	r.Due = cases.DueOf(which, due, now, m.loc, m.cal, m.soon)
	return r, nil
}

// siteName is the name the county gives a site, else its id.
func (m *Model) siteName(id string) string {
	for _, s := range m.named() {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}
