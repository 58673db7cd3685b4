package cases

import (
	"context"
	"time"

	"yiting/queue"
)

// StepLogged is the event of a case that was registered before case steps
// were events: it enters the log once, as it stands (LogExisting).
const StepLogged StepKind = "logged"

// LogExisting brings a data directory from before case steps were events
// forward: every case it holds enters the event log once, as it stands —
// code, type, status, unit — so that the log (and the county's copy of it)
// knows every case. It runs once per data directory, in one transaction
// with the mark that it ran; call it at start, before the hall serves.
// It returns how many cases it logged.
func (b *Book) LogExisting(ctx context.Context) (int, error) {
	if done, err := b.store.CasesLogged(ctx); err != nil || done {
		return 0, err
	}
	var all []*Case
	err := b.store.EachCase(ctx, MakeDate(1970, time.January, 1), MakeDate(9999, time.December, 31), func(c *Case) error {
		all = append(all, c)
		return nil
	})
	if err != nil {
		return 0, err
	}
	n, err := run(ctx, b, func(tx *queue.Tx) (int, error) {
		for _, c := range all {
			f := c.Facts(b.hall.Location)
			tx.Emit("system", b.stepEvent(c, &f, Step{Kind: StepLogged, Persons: len(c.Persons)}))
		}
		tx.Write("cases logged", &LoggedWrite{})
		return len(all), nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		b.log.Info("cases registered before case steps were events entered the event log", "cases", n)
	}
	return n, nil
}
