package cases

// A petitioner who does not accept the handling opinion may ask the body
// above for a 复查 within 30 days of receiving it in writing (信访工作条例
// Art. 35), and one who does not accept the 复查 opinion for a 复核 within
// 30 days of that (Art. 36). The window opens on the day the case is
// concluded with its answer (办结答复: the written opinion is given then)
// and is shown on the case page, as the 司法确认 window is (mediation.go).

// reviewWithin is the petitioner's window to ask for a 复查 or 复核.
var reviewWithin = Cal(30)

// reviewBy is the last day to ask for the review the case's opinion may
// be challenged by (Limit.Review), or 0 when none applies: not a type with
// one, or not concluded with an answer. A window that ends on a holiday
// ends on the next working day (Civil Code Art. 203).
func (b *Book) reviewBy(c *Case) Date {
	if c.Limit.Review == "" || c.HandledAt.IsZero() || c.Outcome != OutcomeAnswered {
		return 0
	}
	return b.cal().Due(DateOf(c.HandledAt, b.hall.Location), reviewWithin)
}
