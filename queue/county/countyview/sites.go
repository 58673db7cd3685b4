package countyview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/sites"
)

// SiteSummary is one site as the county sees it: its link, today's
// tickets and its open cases.
type SiteSummary struct {
	SiteLink
	Name string `json:"name"`
	// Named: the county expects this site (Options.Sites); a site that
	// sent events without being named is listed under its id.
	Named   bool       `json:"named"`
	Day     string     `json:"day"` // today, in the county's zone
	Tickets TicketDay  `json:"tickets"`
	Cases   CaseCounts `json:"cases"`
}

// TicketDay counts a site's tickets of one business day, by the hall's
// own definitions (queue.Stats).
type TicketDay struct {
	Issued    int               `json:"issued"`
	Served    int               `json:"served"`
	Waiting   int               `json:"waiting"`    // waiting to be called now
	InService int               `json:"in_service"` // called, serving or parked now
	NoShows   int               `json:"no_shows"`
	Cancelled int               `json:"cancelled"`
	Expired   int               `json:"expired"`
	Ratings   queue.RatingStats `json:"ratings"`
}

// SiteDetail is one site's summary with the whole of a day's ticket
// statistics and the assessment of its cases registered this year so far
// (its units').
type SiteDetail struct {
	SiteSummary
	Stats      queue.Stats       `json:"stats"`
	Assessment *cases.Assessment `json:"assessment"`
}

// Sites lists every site: those named in Options.Sites in their order,
// then any other that sent events, by id.
func (m *Model) Sites(ctx context.Context) ([]SiteSummary, error) {
	var out []SiteSummary
	err := m.db.View(func(tx *bolt.Tx) error {
		for _, id := range m.siteIDs(tx) {
			s, _, err := m.summary(ctx, tx, id, m.today())
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// Site returns a site's summary with the ticket statistics of a business
// day ("2006-01-02"; "" is today). It returns ENOTFOUND for a site the
// county neither names nor has heard from, EINVALID for a bad day.
func (m *Model) Site(ctx context.Context, id, day string) (*SiteDetail, error) {
	if day == "" {
		day = m.today()
	}
	if _, err := cases.ParseDate(day); err != nil {
		return nil, queue.Errorf(queue.EINVALID, "日期无效：%q（格式 2026-11-26）", day)
	}
	var out *SiteDetail
	err := m.db.View(func(tx *bolt.Tx) error {
		if !slices.Contains(m.siteIDs(tx), id) {
			return queue.Errorf(queue.ENOTFOUND, "没有这个站点：%q", id)
		}
		s, stats, err := m.summary(ctx, tx, id, day)
		if err != nil {
			return err
		}
		today := cases.DateOf(m.now(), m.loc)
		a, err := m.assessSite(tx, id, cases.MakeDate(today.Year(), time.January, 1), today)
		if err != nil {
			return err
		}
		out = &SiteDetail{SiteSummary: s, Stats: stats, Assessment: a}
		return nil
	})
	return out, err
}

// summary builds a site's summary and the statistics of its tickets of day.
func (m *Model) summary(ctx context.Context, tx *bolt.Tx, id, day string) (SiteSummary, queue.Stats, error) {
	s := SiteSummary{SiteLink: SiteLink{Site: id}, Name: m.siteName(id), Day: day}
	for _, n := range m.named() {
		s.Named = s.Named || n.ID == id
	}
	if v := tx.Bucket(bucketSites).Get([]byte(id)); v != nil {
		if err := json.Unmarshal(v, &s.SiteLink); err != nil {
			return s, queue.Stats{}, fmt.Errorf("countyview: site %s: %w", id, err)
		}
	}
	b := queue.NewStatsBuilder(day, day, m.loc)
	err := eachTicket(tx, id, day, day, func(t *queue.Ticket) {
		b.Add(t)
		switch t.Status {
		case queue.StatusWaiting:
			s.Tickets.Waiting++
		case queue.StatusCalled, queue.StatusServing, queue.StatusParked:
			s.Tickets.InService++
		}
	})
	if err != nil {
		return s, queue.Stats{}, err
	}
	st := b.Stats()
	s.Tickets.Issued, s.Tickets.Served, s.Tickets.NoShows = st.Tickets, st.Served, st.NoShows
	s.Tickets.Cancelled, s.Tickets.Expired, s.Tickets.Ratings = st.Cancelled, st.Expired, st.Ratings
	s.Cases, err = m.counts(ctx, tx, id)
	return s, st, err
}

// counts are the counts of a site's open cases.
func (m *Model) counts(ctx context.Context, tx *bolt.Tx, site string) (CaseCounts, error) {
	n := CaseCounts{Stages: map[string]int{}}
	err := m.eachOpen(ctx, tx, site, func(r CaseRow) { n.add(r) })
	return n, err
}

// eachTicket calls fn with each ticket of a site of the business days
// from..to ("2006-01-02"), by day and id.
func eachTicket(tx *bolt.Tx, site, from, to string, fn func(*queue.Ticket)) error {
	c := tx.Bucket(bucketTickets).Cursor()
	end := key([]byte(site), []byte(to), []byte{0xff})
	for k, v := c.Seek(key([]byte(site), []byte(from))); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
		var t queue.Ticket
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("countyview: a ticket of %s: %w", site, err)
		}
		fn(&t)
	}
	return nil
}

// siteIDs are the named sites, in order, then the others heard from.
func (m *Model) siteIDs(tx *bolt.Tx) []string {
	named := m.named()
	ids := make([]string, 0, len(named))
	for _, s := range named {
		ids = append(ids, s.ID)
	}
	tx.Bucket(bucketSites).ForEach(func(k, _ []byte) error {
		if !slices.Contains(ids[:len(named)], string(k)) {
			ids = append(ids, string(k))
		}
		return nil
	})
	return ids
}

// SetSites names the sites the county expects, as Options.Sites did:
// the hub's admin added or removed one while the hub runs. A removed
// site that sent events stays listed, under its id.
func (m *Model) SetSites(names []SiteName) error {
	if err := checkNames(names); err != nil {
		return err
	}
	c := slices.Clone(names)
	m.sites.Store(&c)
	return nil
}

// named are the sites the county expects, in order.
func (m *Model) named() []SiteName { return *m.sites.Load() }

func checkNames(names []SiteName) error {
	for _, s := range names {
		if !sites.ValidID(s.ID) {
			return fmt.Errorf("countyview: site id %q: letters, digits, '-' and '_' only, at most 32", s.ID)
		}
	}
	return nil
}

// today is the business day now, in the county's zone.
func (m *Model) today() string { return m.now().In(m.loc).Format(time.DateOnly) }
