package cases

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"yiting/queue/personal"
)

// texts lists every free-text field of the case: what a clerk, a
// mediator or the visitor wrote, where a party's name, number, phone or
// address may stand. Anonymisation redacts them and keeps them: they are
// the case's archive (档案法 Art. 21; 人民调解法 Art. 27).
func (c *Case) texts() []*string {
	out := []*string{&c.Summary, &c.OutcomeNote}
	for i := range c.Routes {
		out = append(out, &c.Routes[i].Note, &c.Routes[i].ObjectReason)
	}
	for i := range c.Records {
		out = append(out, &c.Records[i].Text)
	}
	if c.Extension != nil {
		out = append(out, &c.Extension.Reason)
	}
	for i := range c.Meetings {
		out = append(out, &c.Meetings[i].Participants, &c.Meetings[i].Conclusion)
	}
	for i := range c.Warnings {
		out = append(out, &c.Warnings[i].Text)
	}
	if c.Major != nil {
		out = append(out, &c.Major.Reason)
	}
	if c.Escalation != nil {
		out = append(out, &c.Escalation.Reason)
	}
	if c.Review != nil {
		out = append(out, &c.Review.Action)
	}
	for i := range c.Supervisions {
		out = append(out, &c.Supervisions[i].Reason, &c.Supervisions[i].Reply, &c.Supervisions[i].Resolution)
	}
	for i := range c.Recusals {
		out = append(out, &c.Recusals[i].Reason)
	}
	for i := range c.Messages {
		out = append(out, &c.Messages[i].Text)
	}
	for i := range c.History {
		out = append(out, &c.History[i].Note)
	}
	return out
}

// redact returns text with the parties' identifiers replaced by their
// masked forms, as every page shows them (the ID number, phone, address
// and name: r), and then any other number that reads as a mobile phone
// (11 digits from 1) or an ID number (15, or 17 and a check character)
// masked too: a third party's, or a party's written another way.
func redact(r *strings.Replacer, text string) string {
	text = r.Replace(text)
	var b strings.Builder
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if j == i {
			b.WriteByte(text[i])
			i++
			continue
		}
		if j-i == 17 && j < len(text) && (text[j] == 'X' || text[j] == 'x') {
			j++
		}
		switch run := text[i:j]; {
		case len(run) == 11 && run[0] == '1':
			b.WriteString(personal.MaskPhone(run))
		case len(run) == 15 || len(run) == 18:
			b.WriteString(personal.MaskID(run))
		default:
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// redactor replaces the parties' identifiers in a text by their masked
// forms: the ID number (upper or lower case check character), the phone,
// the address, the name. Longer ones first, so a name inside an address
// goes with the address. A one-character name is left alone: it would
// mask the same character everywhere.
func redactor(parties []PersonDetail) *strings.Replacer {
	type pair struct{ from, to string }
	var pairs []pair
	add := func(from, to string) {
		if from != "" && from != to {
			pairs = append(pairs, pair{from, to})
		}
	}
	for _, d := range parties {
		add(d.IDNumber, personal.MaskID(d.IDNumber))
		add(strings.ToLower(d.IDNumber), personal.MaskID(d.IDNumber))
		add(d.Phone, personal.MaskPhone(d.Phone))
		add(d.Address, personal.MaskAddress(d.Address))
		if utf8.RuneCountInString(d.Name) >= 2 {
			add(d.Name, personal.MaskName(d.Name))
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(len(b.from), len(a.from)) })
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.from, p.to)
	}
	return strings.NewReplacer(args...)
}
