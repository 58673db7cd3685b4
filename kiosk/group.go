package kiosk

import (
	"fmt"

	"yiting/kiosk/idcard"
	"yiting/queue/personal"
)

// MaxRepresentatives is the most cards one group visit takes: a group
// chooses at most 5 representatives (信访工作条例 Art. 20; the case book's
// cases.MaxPersons).
const MaxRepresentatives = 5

// GroupName is the masked name a group visit's ticket carries: the first
// representative's with 等N人 appended (王*明等3人); the hall's one rule
// (personal.GroupName). One card gives its masked name alone; no card
// gives "".
func GroupName(cards []*idcard.Identity) string {
	if len(cards) == 0 || cards[0] == nil {
		return ""
	}
	return personal.GroupName(cards[0].MaskedName(), len(cards))
}

// groupOffered reports whether a service offers 多人来访: it opens a case
// (a petition or a mediation), reads cards, and the hall registers groups.
func (l *Loop) groupOffered(svc ServiceInfo) bool {
	return svc.CaseType != "" && svc.NeedsID
}

// groupVisit starts a group visit for a service: the representatives tap
// their cards one after another, then 完成 issues one ticket.
func (l *Loop) groupVisit(id string) error {
	s := &l.st
	svc, ok := s.info.Service(id)
	if !ok {
		return ErrUnknownService
	}
	if !l.groupOffered(svc) {
		return ErrNoGroup
	}
	switch s.step {
	case StepIdle, StepTicket, StepError, StepWaitCard:
	default:
		return ErrBusy
	}
	l.idle()
	if !s.reader.OK {
		l.fail(ErrCodeReaderOffline, MsgReaderOffline, false)
		return nil
	}
	s.service = &svc
	l.to(StepGroup, l.opts.CardWait)
	return nil
}

// groupCard handles a card event while the representatives tap theirs.
// A refused card (the same twice, a sixth, an expired or unreadable one)
// leaves the cards so far and says why.
func (l *Loop) groupCard(ev idcard.Event) {
	s := &l.st
	next := len(s.group) + 1
	switch ev.Kind {
	case idcard.EventUnreadable:
		l.log.Info("kiosk: group visit: card unreadable", "err", ev.Err)
		s.groupNote = MsgUnreadable
	case idcard.EventExpired:
		l.beep()
		l.log.Info("kiosk: group visit: expired card refused")
		s.groupNote = fmt.Sprintf(MsgGroupExpired, next)
	case idcard.EventCard:
		l.beep()
		switch {
		case ev.Identity == nil:
			return
		case l.inGroup(ev.Identity):
			s.groupNote = fmt.Sprintf(MsgGroupDuplicate, next)
		case len(s.group) >= MaxRepresentatives:
			s.groupNote = MsgGroupFull
		default:
			s.group = append(s.group, ev.Identity)
			s.groupNote = ""
		}
	default:
		return
	}
	l.to(StepGroup, l.opts.CardWait) // each tap gives the next one time
}

// inGroup reports whether the card was tapped before in this group visit.
func (l *Loop) inGroup(id *idcard.Identity) bool {
	for _, c := range l.st.group {
		if c.Number == id.Number && c.Type == id.Type {
			return true
		}
	}
	return false
}

// finish is 完成: one ticket for the representatives so far.
func (l *Loop) finish() error {
	s := &l.st
	if s.step != StepGroup {
		return ErrBusy
	}
	if len(s.group) == 0 {
		s.groupNote = fmt.Sprintf(MsgGroupNext, 1)
		return ErrNoCard
	}
	l.startIssue(*s.service, s.group)
	return nil
}

// groupView is what the screen shows of a group visit.
func (s *state) groupView() *GroupView {
	g := &GroupView{Max: MaxRepresentatives, Note: s.groupNote, Names: []string{}}
	for _, c := range s.group {
		g.Names = append(g.Names, c.MaskedName())
	}
	return g
}

// groupMessage is the main line while the representatives tap.
func (s *state) groupMessage() string {
	switch {
	case s.groupNote != "":
		return s.groupNote
	case len(s.group) >= MaxRepresentatives:
		return MsgGroupDone
	case len(s.group) == 0:
		return fmt.Sprintf(MsgGroupNext, 1)
	}
	return fmt.Sprintf(MsgGroupNext, len(s.group)+1) + MsgGroupOrFinish
}
