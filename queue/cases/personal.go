package cases

import (
	"context"
	"errors"
	"fmt"
	"time"

	"yiting/queue"
	"yiting/queue/personal"
)

func normalizeID(s string) string { return personal.NormalizeID(s) }

// AuditEntry is one opening of personal data (or its deletion), kept so
// that who saw whose data, when and why can be answered (个人信息保护法
// Art. 51, 55–56: processing records kept at least 3 years).
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"` // "view", "anonymise"
	Case   string    `json:"case"`
	Fields string    `json:"fields,omitempty"`
	Reason string    `json:"reason"`
}

// PersonDetail is a party's full personal data, as opened for a clerk.
type PersonDetail struct {
	IDNumber string `json:"id_number,omitempty"`
	Name     string `json:"name"`
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	CardType string `json:"card_type,omitempty"`
}

// Personal opens the parties' full personal data of a case for p, with
// the reason p gives (e.g. "电话回访" to call back). The audit entry is on
// disk before the data is returned. Staff involved in the case and
// supervisors only; admins, who manage accounts, do not need it
// (个人信息保护法 Art. 34).
func (b *Book) Personal(ctx context.Context, p queue.Principal, code, reason string) ([]PersonDetail, error) {
	reason, err := needText("reason", "查看理由", reason, 200)
	if err != nil {
		return nil, err
	}
	if p.Role != queue.RoleSupervisor && p.Role != queue.RoleStaff {
		return nil, queue.Errorf(queue.EFORBIDDEN, "无权查看个人信息 (not allowed to open personal data)")
	}
	var out []PersonDetail
	_, err = b.change(ctx, code, func(c *Case, w *Write, now time.Time) error {
		if p.Role == queue.RoleStaff && !b.involved(p, c.holders()) {
			return queue.Errorf(queue.EFORBIDDEN, "只有承办人员和督导人员可以查看当事人完整信息 (only the case's handler, unit or a supervisor)")
		}
		if !c.Anonymised.IsZero() {
			return queue.Errorf(queue.ECONFLICT, "案件已于%s匿名化，个人信息已删除 (anonymised: personal data deleted)", c.Anonymised.In(b.hall.Location).Format(time.DateOnly))
		}
		var err error
		if out, err = b.unseal(c); err != nil {
			return err
		}
		c.step(now, StepPersonalViewed, p.Actor(), "查看当事人完整信息")
		w.Audit = []AuditEntry{{At: now, Actor: p.Actor(), Role: string(p.Role), Action: "view", Case: c.Code,
			Fields: "id_number,name,address,phone", Reason: reason}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// unseal opens the parties' sealed data.
func (b *Book) unseal(c *Case) ([]PersonDetail, error) {
	out := make([]PersonDetail, len(c.Persons))
	open := func(sealed []byte, i int, field string) (string, error) {
		if len(sealed) == 0 {
			return "", nil
		}
		v, err := b.keys.Open(sealed, label(c.Code, i, field))
		if err != nil {
			return "", fmt.Errorf("cases: %s party %d %s: %w", c.Code, i, field, err)
		}
		return string(v), nil
	}
	for i, pt := range c.Persons {
		d := PersonDetail{CardType: pt.CardType}
		for _, f := range []struct {
			sealed []byte
			name   string
			into   *string
		}{{pt.SealedID, "id", &d.IDNumber}, {pt.SealedName, "name", &d.Name}, {pt.SealedAddress, "address", &d.Address}, {pt.SealedPhone, "phone", &d.Phone}} {
			v, err := open(f.sealed, i, f.name)
			if err != nil {
				return nil, err
			}
			*f.into = v
		}
		out[i] = d
	}
	return out, nil
}

// Audit returns the audit log after seq (0: from the start), oldest
// first, at most limit entries, optionally of one case: supervisors and
// admins.
func (b *Book) Audit(ctx context.Context, p queue.Principal, after uint64, limit int, caseCode string) ([]AuditEntry, error) {
	if err := checkReader(p); err != nil {
		return nil, err
	}
	if caseCode != "" {
		canon, err := NormalizeCode(caseCode)
		if err != nil {
			return nil, err
		}
		caseCode = canon
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []AuditEntry
	stop := fmt.Errorf("stop")
	err := b.store.EachAudit(ctx, after, func(e AuditEntry) error {
		if caseCode != "" && e.Case != caseCode {
			return nil
		}
		out = append(out, e)
		if len(out) >= limit {
			return stop
		}
		return nil
	})
	if err != nil && err != stop {
		return nil, err
	}
	return out, nil
}

// Anonymise deletes the personal data of cases closed more than
// Options.RetentionYears ago (个人信息保护法 Art. 19, 47): the sealed fields,
// the visitor keys, the inquiry token's sealed copy and the visitor's
// photos. The case record stays — it is an archive (档案法 Art. 21 forbids
// destroying one without authority; 人民调解法 Art. 27 asks mediation files
// to be archived): every free text (the summary, the records and the
// mediation agreement, notes, reasons, the visitor's messages) is kept
// with each party's name, ID number, phone and address replaced by the
// masked form every page shows, and any other mobile or ID number masked.
// A name written otherwise (a nickname, 王某) or a third person's name is
// not found; what the text says otherwise is the archive. How long the
// anonymised record is kept is its own setting (Options.ArchiveYears).
// Each case is one transaction with its audit entry. It returns how many
// cases it anonymised.
func (b *Book) Anonymise(ctx context.Context) (int, error) {
	if b.retention < 0 {
		return 0, nil
	}
	now := b.now()
	cutoff := DateOf(now.AddDate(-b.retention, 0, 0), b.hall.Location)
	codes, err := b.store.ClosedBefore(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, code := range codes {
		if err := b.anonymise(ctx, code, cutoff); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (b *Book) anonymise(ctx context.Context, code string, cutoff Date) error {
	_, err := b.change(ctx, code, func(c *Case, w *Write, now time.Time) error {
		if c.Status.Open() || !c.Anonymised.IsZero() || DateOf(c.ClosedAt, b.hall.Location) >= cutoff {
			return errSkip
		}
		parties, err := b.unseal(c)
		if err != nil {
			return err
		}
		r := redactor(parties)
		for _, t := range c.texts() {
			*t = redact(r, *t)
		}
		for i := range c.Persons {
			pt := &c.Persons[i]
			pt.VisitorKey, pt.SealedID, pt.SealedName, pt.SealedAddress, pt.SealedPhone = "", nil, nil, nil, nil
		}
		c.SealedToken = nil
		for i := range c.Messages { // the photos go; the words stay, redacted
			c.Messages[i].Files = nil
		}
		w.DropFiles = true
		c.Anonymised = now
		c.step(now, StepAnonymised, "system", fmt.Sprintf("保存期满%d年", b.retention))
		w.Audit = []AuditEntry{{At: now, Actor: "system", Role: "system", Action: "anonymise", Case: c.Code,
			Fields: "id_number,name,address,phone,visitor_key,photos; texts redacted", Reason: fmt.Sprintf("closed more than %d years ago", b.retention)}}
		return nil
	})
	switch {
	case errors.Is(err, errSkip):
		return nil
	case err != nil:
		return err
	}
	b.log.Info("case anonymised", "case", code)
	return nil
}

// errSkip ends a command that finds nothing to do.
var errSkip = errors.New("cases: nothing to do")
