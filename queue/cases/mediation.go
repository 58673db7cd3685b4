package cases

import (
	"context"
	"strings"

	"yiting/queue"
)

// The records of a people's mediation (人民调解法 Art. 27–33): each
// session's record, and the agreement with what Art. 29 asks it to hold —
// the parties, the main facts and the matters in dispute with each side's
// responsibility, the terms agreed, how and by when they are performed.
// An agreement is recorded in writing or, when the parties need no
// written one, as an oral agreement the mediator writes down (Art. 28).
// From the day it takes effect the parties have 30 days to apply to a
// court together for judicial confirmation (司法确认, Art. 33).

// confirmWithin is the parties' window to apply for 司法确认, in days.
var confirmWithin = Cal(30)

// Session is one mediation session's record.
type Session struct {
	When         string // the date and time as the mediator writes it
	Place        string
	Participants string // the parties and others present
	Content      string // the facts stated, the opinions, the mediator's work
}

// Agreement is a mediation agreement's content (Art. 29).
type Agreement struct {
	Facts       string // 纠纷的主要事实、争议事项以及各方当事人的责任
	Terms       string // 调解协议的内容
	Performance string // 履行的方式、期限
	Oral        bool   // an oral agreement the mediator records (Art. 28)
}

// AddSession records a mediation session: the case's handlers, while it
// is handled.
func (b *Book) AddSession(ctx context.Context, p queue.Principal, code string, s Session) (View, error) {
	var err error
	for _, f := range []struct {
		field, zh string
		v         *string
		max       int
	}{{"when", "调解时间", &s.When, 40}, {"place", "调解地点", &s.Place, 100}, {"participants", "参加人员", &s.Participants, 500}, {"content", "调解情况", &s.Content, 20000}} {
		if *f.v, err = needText(f.field, f.zh, *f.v, f.max); err != nil {
			return View{}, err
		}
	}
	text := "时间：" + s.When + "\n地点：" + s.Place + "\n参加人员：" + s.Participants + "\n调解情况：\n" + s.Content
	return b.AddRecord(ctx, p, code, RecordSession, text)
}

// AddAgreement records the mediation agreement with what Art. 29 asks of
// it; the 司法确认 window starts with it.
func (b *Book) AddAgreement(ctx context.Context, p queue.Principal, code string, a Agreement) (View, error) {
	var err error
	for _, f := range []struct {
		field, zh string
		v         *string
	}{{"facts", "纠纷的主要事实、争议事项及各方责任", &a.Facts}, {"terms", "协议内容", &a.Terms}, {"performance", "履行方式和期限", &a.Performance}} {
		if *f.v, err = needText(f.field, f.zh, *f.v, 10000); err != nil {
			return View{}, err
		}
	}
	var t strings.Builder
	if a.Oral {
		t.WriteString("（口头协议，由人民调解员记录，《人民调解法》第二十八条）\n")
	}
	t.WriteString("纠纷的主要事实、争议事项以及各方当事人的责任：\n" + a.Facts + "\n")
	t.WriteString("经调解，各方当事人自愿达成如下协议：\n" + a.Terms + "\n")
	t.WriteString("履行方式、时限：\n" + a.Performance)
	return b.AddRecord(ctx, p, code, RecordAgreement, t.String())
}

// confirmBy is the last day the parties may apply for 司法确认 of the
// case's latest agreement (Art. 33), or 0 without one: the agreement
// takes effect the day it is recorded and signed.
func (b *Book) confirmBy(c *Case) Date {
	for i := len(c.Records) - 1; i >= 0; i-- {
		if r := c.Records[i]; r.Kind == RecordAgreement {
			return DateOf(r.At, b.hall.Location).AddDays(confirmWithin.Days)
		}
	}
	return 0
}
