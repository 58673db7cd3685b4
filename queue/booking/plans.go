package booking

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// The plans in effect: the hall file's, overlaid by what an admin or a
// supervisor changed on the appointments page (Edit, kept in the store).
// A value edited on the page wins over the file's and survives restarts;
// a value nobody edited follows the file, so a later change of the file
// still reaches it. A plan added on the page is the page's alone.
//
// The diary keeps the plans in effect in memory (planState) for its
// views, and every command that books or moves reads them inside its
// transaction (stateIn): the version the store keeps with the edits tells
// a command whether memory lags a commit, so a booking decided after a
// change of capacity always counts with the new capacity.

// Edit is what the page changed of one plan, kept in the store. On a plan
// of the hall file, each value set overrides the file's (nil or empty:
// the file's); Plan holds a plan added on the page, whole.
type Edit struct {
	ID       string         `json:"id"`
	Plan     *Plan          `json:"plan,omitempty"`
	Removed  bool           `json:"removed,omitempty"`
	Weekdays []time.Weekday `json:"days,omitempty"`
	Periods  []Period       `json:"hours,omitempty"`
	Length   time.Duration  `json:"length,omitempty"`
	Capacity *int           `json:"capacity,omitempty"`
	WalkIn   *int           `json:"walk_in,omitempty"`
	Closed   []Closure      `json:"closed,omitempty"` // days closed on the page, by day
	At       time.Time      `json:"at"`               // the last change
	By       string         `json:"by"`
}

// Closure is a day a plan takes no bookings though its weekday and the
// calendar would (the leader is away, the room is painted).
type Closure struct {
	Day    cases.Date `json:"day"`
	Reason string     `json:"reason"`
	By     string     `json:"by"`
	At     time.Time  `json:"at"`
}

// PlanWrite is a command's write of a plan's edit: the store keeps it
// under its plan's id and counts the plans' version up in the same
// transaction.
type PlanWrite struct{ Edit Edit }

// Fields of a plan the page edits, as PlanInfo.Edited names them.
const (
	FieldDays     = "days"
	FieldHours    = "hours"
	FieldLength   = "length"
	FieldCapacity = "capacity"
	FieldWalkIn   = "walk_in"
)

// over is the file's plan p with the edit's values.
func (e *Edit) over(p Plan) Plan {
	if e.Plan != nil {
		return *e.Plan
	}
	if e.Weekdays != nil {
		p.Weekdays = e.Weekdays
	}
	if e.Periods != nil {
		p.Periods = e.Periods
	}
	if e.Length != 0 {
		p.Length = e.Length
	}
	if e.Capacity != nil {
		p.Capacity = *e.Capacity
	}
	if e.WalkIn != nil {
		p.WalkIn = *e.WalkIn
	}
	return p
}

// edited names the values the edit sets.
func (e *Edit) edited() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{FieldDays, e.Weekdays != nil}, {FieldHours, e.Periods != nil}, {FieldLength, e.Length != 0},
		{FieldCapacity, e.Capacity != nil}, {FieldWalkIn, e.WalkIn != nil}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

func (e *Edit) clone() Edit {
	cp := *e
	cp.Closed = slices.Clone(e.Closed)
	if e.Plan != nil {
		p := *e.Plan
		cp.Plan = &p
	}
	return cp
}

func (e *Edit) closure(day cases.Date) (Closure, bool) {
	for _, c := range e.Closed {
		if c.Day == day {
			return c, true
		}
	}
	return Closure{}, false
}

// planState is the plans in effect at a version of the store's edits.
type planState struct {
	version uint64
	cfg     Config          // the plans in effect, the file's first, in order
	edits   map[string]Edit // by plan id
}

func (st *planState) plan(id string) (Plan, bool) { return st.cfg.Plan(id) }

func (st *planState) closure(id string, day cases.Date) (Closure, bool) {
	e, ok := st.edits[id]
	if !ok {
		return Closure{}, false
	}
	return e.closure(day)
}

// stateOf makes the plans in effect of the file and the edits. An edit
// that no longer fits the hall (its file changed under it) is left out,
// logged: the file's plan holds until someone edits it again.
func (d *Diary) stateOf(edits map[string]Edit, version uint64) *planState {
	st := &planState{version: version, cfg: Config{Policy: d.file.Policy}, edits: edits}
	for _, fp := range d.file.Plans {
		e, ok := edits[fp.ID]
		switch {
		case !ok:
			st.cfg.Plans = append(st.cfg.Plans, fp)
			continue
		case e.Removed:
			continue
		}
		p := e.over(fp)
		if err := checkPlan(d.hall, p, "plan"); err != nil {
			d.log.Warn("an appointment plan's edit no longer fits the hall file; the file's values hold", "plan", fp.ID, "err", err)
			p = fp
		}
		st.cfg.Plans = append(st.cfg.Plans, p)
	}
	var added []Edit
	for _, e := range edits {
		if _, inFile := d.file.Plan(e.ID); e.Plan != nil && !e.Removed && !inFile {
			added = append(added, e)
		}
	}
	slices.SortFunc(added, func(a, b Edit) int { return strings.Compare(a.ID, b.ID) })
	for _, e := range added {
		if err := checkPlan(d.hall, *e.Plan, "plan"); err != nil {
			d.log.Warn("an appointment plan added on the page no longer fits the hall file; left out", "plan", e.ID, "err", err)
			continue
		}
		st.cfg.Plans = append(st.cfg.Plans, *e.Plan)
	}
	return st
}

// load reads the edits of the store into memory.
func (d *Diary) load(ctx context.Context) (*planState, error) {
	es, version, err := d.store.PlanEdits(ctx)
	if err != nil {
		return nil, err
	}
	edits := make(map[string]Edit, len(es))
	for _, e := range es {
		edits[e.ID] = e
	}
	st := d.stateOf(edits, version)
	d.publish(st)
	return st, nil
}

// publish makes st the plans in effect unless a newer version is.
func (d *Diary) publish(st *planState) {
	for {
		cur := d.plans.Load()
		if cur != nil && cur.version >= st.version || d.plans.CompareAndSwap(cur, st) {
			return
		}
	}
}

// current is the plans in effect for a view (a page, a list of slots).
func (d *Diary) current() *planState { return d.plans.Load() }

const plansKey = "booking plans"

// stateIn is the plans in effect inside a command: a change earlier in
// the batch, else the store's committed version (memory reloaded if it
// lags).
func (d *Diary) stateIn(ctx context.Context, tx *queue.Tx) (*planState, error) {
	if v, ok := tx.Pending(plansKey); ok {
		return v.(*planState), nil
	}
	version, err := d.store.PlansVersion(ctx)
	if err != nil {
		return nil, err
	}
	if st := d.current(); st.version == version {
		return st, nil
	}
	return d.load(ctx)
}

// PlanInfo is a plan in effect as the page that manages it shows it.
type PlanInfo struct {
	Plan
	// File is the hall file's plan; nil for one added on the page.
	File *Plan
	// Edited names the values set on the page (FieldDays…); the others
	// are the file's.
	Edited  []string
	Closed  []Closure // days closed on the page, today on
	Removed bool      // a plan of the file removed on the page
	At      time.Time // the last change on the page, if any
	By      string
}

// Plans lists every plan in effect, then the plans removed on the page,
// with where each value comes from.
func (d *Diary) Plans() []PlanInfo {
	st := d.current()
	var out []PlanInfo
	for _, p := range st.cfg.Plans {
		out = append(out, d.infoOf(st, p, false))
	}
	for _, id := range slices.Sorted(maps.Keys(st.edits)) {
		if st.edits[id].Removed {
			out = append(out, d.info(st, id))
		}
	}
	return out
}

// infoOf is a plan as the page shows it.
func (d *Diary) infoOf(st *planState, p Plan, removed bool) PlanInfo {
	pi := PlanInfo{Plan: p, Removed: removed}
	if fp, ok := d.file.Plan(p.ID); ok {
		pi.File = &fp
	}
	if e, ok := st.edits[p.ID]; ok {
		pi.At, pi.By = e.At, e.By
		if e.Plan == nil {
			pi.Edited = e.edited()
		}
		today := d.today()
		for _, c := range e.Closed {
			if c.Day >= today {
				pi.Closed = append(pi.Closed, c)
			}
		}
	}
	return pi
}

// planName is a plan's name for a booking's view, a removed plan's too.
func (d *Diary) planName(id string) string {
	if p, ok := d.current().plan(id); ok {
		return p.Name
	}
	if p, ok := d.file.Plan(id); ok {
		return p.Name
	}
	if e, ok := d.current().edits[id]; ok && e.Plan != nil {
		return e.Plan.Name
	}
	return id
}

func noPlan(id string) error {
	return queue.Errorf(queue.ENOTFOUND, "没有这个预约项目：%q (unknown plan)", id)
}

// sortedDays keeps a plan's weekdays in the week's order without repeats.
func sortedDays(ds []time.Weekday) []time.Weekday {
	m := map[time.Weekday]bool{}
	for _, d := range ds {
		m[d] = true
	}
	return slices.Sorted(maps.Keys(m))
}
