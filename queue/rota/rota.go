// Package rota keeps the centre's duty rota (值班表): the days a county
// leader receives visitors in person (县负责人坐班接访制), the turns of the
// political-legal units' leaders (政法单位班子成员轮班制) and the
// psychological counselling days (心理咨询日) of the seed. An admin or a
// supervisor keeps it on a page; the board shows who receives today; a
// service configured as duty-only (领导接访) is offered on the days the rota
// opens it and its tickets go to that day's room.
package rota

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/queue"
)

// Kind is a kind of duty.
type Kind string

// Kinds of duty.
const (
	KindLeader      Kind = "leader"      // 县负责人坐班接访
	KindPolitics    Kind = "politics"    // 政法单位班子成员轮班
	KindCounselling Kind = "counselling" // 心理咨询日
)

// Kinds lists the kinds in a form's order.
func Kinds() []Kind { return []Kind{KindLeader, KindPolitics, KindCounselling} }

// Name is the kind in Chinese.
func (k Kind) Name() string {
	switch k {
	case KindLeader:
		return "县领导坐班接访"
	case KindPolitics:
		return "政法单位班子成员轮班"
	case KindCounselling:
		return "心理咨询日"
	}
	return string(k)
}

// Entry is one duty on one day: who receives, where, and the service it
// opens (a duty-only service's tickets go to the room).
type Entry struct {
	Day       string    `json:"day"` // "2006-01-02", in the hall's zone
	Kind      Kind      `json:"kind"`
	KindName  string    `json:"kind_name"`
	Who       string    `json:"who"` // a public title and name: "县委副书记 张某"
	CounterID string    `json:"counter"`
	Room      string    `json:"room"`              // the counter's name
	ServiceID string    `json:"service,omitempty"` // the service it opens, if any
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
}

// Key is the entry's identity: one person's duty of a kind in a room a
// day.
func (e Entry) Key() string { return e.Day + "|" + string(e.Kind) + "|" + e.CounterID }

// Store keeps the entries. Methods are safe for concurrent use.
type Store interface {
	// RotaBetween returns the entries of the days from..to, by day.
	RotaBetween(ctx context.Context, from, to string) ([]Entry, error)
	// PutRota writes an entry, replacing the one of its Key.
	PutRota(ctx context.Context, e Entry) error
	// DeleteRota removes the entry of a key; ENOTFOUND if none.
	DeleteRota(ctx context.Context, key string) error
}

// Rota is the duty rota of a hall.
type Rota struct {
	hall  *queue.Hall
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// New returns the rota of a hall over a store.
func New(hall *queue.Hall, store Store, now func() time.Time, log *slog.Logger) *Rota {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Rota{hall: hall, store: store, now: now, log: log}
}

func checkKeeper(p queue.Principal) error {
	if p.Role == queue.RoleAdmin || p.Role == queue.RoleSupervisor {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有管理员和督导人员可以安排值班 (admins and supervisors only)")
}

// today is the hall's day now.
func (r *Rota) today() string { return r.now().In(r.hall.Location).Format(time.DateOnly) }

// Set adds or replaces an entry: admins and supervisors. The day is today
// or later; the room is a counter of the hall; a service, if named, is one
// the room serves.
func (r *Rota) Set(ctx context.Context, p queue.Principal, e Entry) (Entry, error) {
	if err := checkKeeper(p); err != nil {
		return Entry{}, err
	}
	day, err := time.ParseInLocation(time.DateOnly, e.Day, r.hall.Location)
	if err != nil {
		return Entry{}, queue.Errorf(queue.EINVALID, "日期应为 2026-01-31：%q (bad day)", e.Day)
	}
	if e.Day < r.today() {
		return Entry{}, queue.Errorf(queue.EINVALID, "不能安排过去的日期 (the day is past)")
	}
	if day.After(r.now().AddDate(1, 0, 0)) {
		return Entry{}, queue.Errorf(queue.EINVALID, "最多安排一年以内的值班 (at most a year ahead)")
	}
	if e.Kind.Name() == string(e.Kind) {
		return Entry{}, queue.Errorf(queue.EINVALID, "值班类型无效：%q (kind must be leader, politics or counselling)", e.Kind)
	}
	e.Who, e.Note = strings.TrimSpace(e.Who), strings.TrimSpace(e.Note)
	if e.Who == "" || utf8.RuneCountInString(e.Who) > 40 || utf8.RuneCountInString(e.Note) > 200 {
		return Entry{}, queue.Errorf(queue.EINVALID, "请填写接访人（职务和姓名，40字以内），备注200字以内 (who: 1..40 characters)")
	}
	ct, ok := r.hall.Counter(e.CounterID)
	if !ok {
		return Entry{}, queue.Errorf(queue.EINVALID, "没有这个接访室或窗口：%q (unknown counter)", e.CounterID)
	}
	if e.ServiceID != "" {
		if _, ok := ct.Serves(e.ServiceID); !ok {
			return Entry{}, queue.Errorf(queue.EINVALID, "%s不办理这项服务 (the room does not serve it)", ct.Name)
		}
	}
	e.KindName, e.Room, e.At, e.By = e.Kind.Name(), ct.Name, r.now(), p.Actor()
	if err := r.store.PutRota(ctx, e); err != nil {
		return Entry{}, err
	}
	r.log.Info("duty rota set", "day", e.Day, "kind", e.Kind, "counter", e.CounterID, "by", p.Actor())
	return e, nil
}

// Remove deletes an entry by its key: admins and supervisors.
func (r *Rota) Remove(ctx context.Context, p queue.Principal, key string) error {
	if err := checkKeeper(p); err != nil {
		return err
	}
	if err := r.store.DeleteRota(ctx, key); err != nil {
		return err
	}
	r.log.Info("duty rota entry removed", "key", key, "by", p.Actor())
	return nil
}

// Between returns the entries of the days from..to ("2006-01-02"), by day
// and kind: the schedule is public (the kiosk and the board show it), so
// any principal may read it.
func (r *Rota) Between(ctx context.Context, from, to string) ([]Entry, error) {
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, queue.Errorf(queue.EINVALID, "日期应为 2026-01-31：%q (bad day)", d)
		}
	}
	if to < from {
		return nil, queue.Errorf(queue.EINVALID, "结束日期早于开始日期 (to before from)")
	}
	es, err := r.store.RotaBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(es, func(a, b Entry) int { return strings.Compare(a.Day+string(a.Kind), b.Day+string(b.Kind)) })
	return es, nil
}

// Receiving tells the room that receives a duty-only service's visitors
// on a day ("2006-01-02") and who receives there; ok is false when the
// rota does not open the service that day (cases.Duty).
func (r *Rota) Receiving(ctx context.Context, day, serviceID string) (counterID, who string, ok bool, err error) {
	es, err := r.store.RotaBetween(ctx, day, day)
	if err != nil {
		return "", "", false, err
	}
	for _, e := range es {
		if e.ServiceID == serviceID {
			return e.CounterID, e.Who, true, nil
		}
	}
	return "", "", false, nil
}

// String is the entry as the board and the kiosk say it.
func (e Entry) String() string {
	return fmt.Sprintf("%s：%s（%s）", e.KindName, e.Who, e.Room)
}

// Today returns today's entries, for the kiosk and the board.
func (r *Rota) Today(ctx context.Context) ([]Entry, error) {
	d := r.today()
	return r.Between(ctx, d, d)
}

// Lines are entries as the kiosk and the board say them, and for each
// service an entry opens, who receives for it ("县委副书记 张某（领导接访室）").
func Lines(es []Entry) (lines []string, byService map[string]string) {
	byService = map[string]string{}
	for _, e := range es {
		lines = append(lines, e.String())
		if e.ServiceID != "" {
			byService[e.ServiceID] = e.Who + "（" + e.Room + "）"
		}
	}
	return lines, byService
}
