package cases

import "context"

// Journal counts a case's journal as stored: its steps (the timeline) and
// its visits (批次, with the persons of each). The document keeps these
// counts, the facts need no more; the entries themselves are read only
// when a page, an export or the anonymisation needs them.
type Journal struct {
	Steps        int `json:"steps,omitempty"`
	Visits       int `json:"visits,omitempty"`
	VisitPersons int `json:"visit_persons,omitempty"` // persons over all visits (人次)
	Collective   int `json:"collective,omitempty"`    // visits of collectiveSize or more (集体访)
	// First is the ticket of the first visit (the registration's; "" for
	// a matter registered by letter or call).
	First string `json:"first,omitempty"`
}

// pending returns the journal entries added to c since it was read or last
// saved.
func (c *Case) pending() ([]Step, []Visit) {
	return c.History[c.storedSteps:], c.Visits[c.storedVisits:]
}

// flush counts the pending entries as stored: the write that carries them
// is in the batch.
func (c *Case) flush() {
	steps, visits := c.pending()
	c.Journal.Add(len(steps), visits)
	c.storedSteps, c.storedVisits = len(c.History), len(c.Visits)
}

// Add counts steps more steps and the visits in the journal.
func (j *Journal) Add(steps int, visits []Visit) {
	if j.Visits == 0 && len(visits) > 0 {
		j.First = visits[0].Ticket
	}
	j.Steps += steps
	j.Visits += len(visits)
	for _, v := range visits {
		j.VisitPersons += v.Persons
		if v.Persons >= collectiveSize {
			j.Collective++
		}
	}
}

// whole reads the stored journal into c, a case read from the store with
// nothing pending: History and Visits then hold every step and visit.
func (b *Book) whole(ctx context.Context, c *Case) error {
	steps, visits, err := b.store.Journal(ctx, c.Code)
	if err != nil {
		return err
	}
	c.SetJournal(steps, visits)
	return nil
}

// SetJournal gives c, as a store read it, its whole stored journal: every
// step and visit, in order (Store.EachCase reads cases so).
func (c *Case) SetJournal(steps []Step, visits []Visit) {
	c.History, c.Visits, c.storedSteps, c.storedVisits = steps, visits, len(steps), len(visits)
}
