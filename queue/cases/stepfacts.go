package cases

import (
	"fmt"
	"slices"

	"yiting/queue"
)

// A case event carries the case's facts (queue.CaseFacts) so that the
// county's hub can time and assess every site's cases with the
// definitions of this package (Assess): stepFacts writes them, FactsOf
// reads them back.

// stepFacts is what a case's event says of f: everything but the masked
// names, the visitor keys, the handlers and who an accusation names.
func stepFacts(f *Facts, typeName string) *queue.CaseFacts {
	return &queue.CaseFacts{
		TypeName: typeName, Channel: string(f.Channel), Outcome: string(f.Outcome), Referral: string(f.Referral),
		Day: f.Day.String(), AcceptDue: f.AcceptDue.String(), Accepted: f.Accepted.String(),
		HandleDue: f.HandleDue.String(), Handled: f.Handled.String(), Closed: f.Closed.String(), Extended: f.Extended,
		Persons: f.Persons, Visits: f.Visits, VisitPersons: f.VisitPersons, Collective: f.Collective,
		Routes: f.Routes, RouteUnit: f.RouteUnit, Objected: f.Objected, Risk: string(f.Risk), Major: f.Major,
		Meetings: f.Meetings, Warnings: f.Warnings, ReviewOpen: f.ReviewOpen,
		Supervisions: f.Supervisions, AutoSupervisions: f.AutoSupervis, LateReplies: f.LateReplies, Levels: slices.Clone(f.Levels),
		Satisfaction: f.Satisfaction,
	}
}

// FactsOf reads a case event back into the Facts of its case, as far as
// the event tells: no masked names, visitor keys or handlers (Listed is
// false). An event without facts (one written before events carried
// them) gives the code, type, service, unit and status only. It returns
// an error for a day that is not "2006-01-02".
func FactsOf(e *queue.CaseStep) (Facts, error) {
	f := Facts{Code: e.Code, Type: e.Type, ServiceID: e.Service, Unit: e.Unit, Status: Status(e.Status)}
	s := e.Facts
	if s == nil {
		return f, nil
	}
	f.Channel, f.Outcome, f.Referral = Channel(s.Channel), Outcome(s.Outcome), Referral(s.Referral)
	for _, d := range []struct {
		to  *Date
		day string
	}{{&f.Day, s.Day}, {&f.AcceptDue, s.AcceptDue}, {&f.Accepted, s.Accepted}, {&f.HandleDue, s.HandleDue},
		{&f.Handled, s.Handled}, {&f.Closed, s.Closed}} {
		if err := d.to.UnmarshalText([]byte(d.day)); err != nil {
			return Facts{}, fmt.Errorf("cases: the facts of case %s: %w", e.Code, err)
		}
	}
	f.Extended, f.Persons, f.Visits, f.VisitPersons, f.Collective = s.Extended, s.Persons, s.Visits, s.VisitPersons, s.Collective
	f.Routes, f.RouteUnit, f.Objected, f.Risk, f.Major = s.Routes, s.RouteUnit, s.Objected, Risk(s.Risk), s.Major
	f.Meetings, f.Warnings, f.ReviewOpen = s.Meetings, s.Warnings, s.ReviewOpen
	f.Supervisions, f.AutoSupervis, f.LateReplies, f.Levels = s.Supervisions, s.AutoSupervisions, s.LateReplies, s.Levels
	f.Satisfaction = s.Satisfaction
	return f, nil
}
