package cases

import (
	"context"

	"yiting/queue"
)

// ArchiveDue is what the archive period asks of the supervisors.
type ArchiveDue struct {
	Years  int      // Options.ArchiveYears
	Before Date     // cases closed before this day are due
	Count  int      // how many
	Codes  []string // the first of them, oldest registration first
}

// archiveDueShown bounds ArchiveDue.Codes.
const archiveDueShown = 50

// ArchiveDue lists the anonymised cases whose archive period
// (Options.ArchiveYears after closing, 保管期限) has run out: they await
// the archive's appraisal (档案鉴定). The book destroys none: 档案法 Art. 21
// lets archives be destroyed only through the appraisal and by those with
// the authority, outside this system. Nil when records are kept
// permanently (the default). Supervisors and admins.
func (b *Book) ArchiveDue(ctx context.Context, p queue.Principal) (*ArchiveDue, error) {
	if err := checkReader(p); err != nil {
		return nil, err
	}
	if b.archive <= 0 {
		return nil, nil
	}
	before := DateOf(b.now().AddDate(-b.archive, 0, 0), b.hall.Location)
	due := &ArchiveDue{Years: b.archive, Before: before}
	err := b.store.EachFacts(ctx, FactsRange{From: 1, To: before - 1, NoKeys: true}, func(f *Facts) error {
		if f.Closed != 0 && f.Closed < before {
			due.Count++
			if len(due.Codes) < archiveDueShown {
				due.Codes = append(due.Codes, f.Code)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return due, nil
}
