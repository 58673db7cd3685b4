package boltstore

import (
	"encoding/binary"
	"errors"

	"yiting/queue/cases"
)

// The facts of a case (cases.Facts) are what the yearly statistics read,
// one per case: a busy hall's year is 150,000 of them. JSON would cost a
// second or more to decode on a Pi, so they are a small binary record:
// a version byte, then strings as uvarint length + bytes, integers as
// varints, in the order of encodeFacts. Version 2 appends what the case
// list reads (cases.Facts.Listed); a version 1 record, written before,
// decodes without it.

const factsVersion = 2

var errFacts = errors.New("boltstore: corrupt case facts record")

func encodeFacts(f *cases.Facts) []byte {
	b := make([]byte, 0, 128+23*len(f.VisitorKeys))
	b = append(b, factsVersion)
	for _, s := range []string{f.Code, f.Type, f.ServiceID, f.Unit, string(f.Channel), string(f.Status), string(f.Outcome), string(f.Referral)} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, d := range []cases.Date{f.Day, f.AcceptDue, f.Accepted, f.HandleDue, f.Handled, f.Closed} {
		b = binary.AppendVarint(b, int64(d))
	}
	for _, n := range []int{f.Persons, f.Visits, f.VisitPersons, f.Supervisions, f.AutoSupervis, f.LateReplies, f.Routes} {
		b = binary.AppendVarint(b, int64(n))
	}
	b = binary.AppendVarint(b, int64(f.Satisfaction))
	ext := byte(0)
	if f.Extended {
		ext = 1
	}
	b = append(b, ext)
	b = binary.AppendUvarint(b, uint64(len(f.VisitorKeys)))
	for _, k := range f.VisitorKeys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	for _, s := range []string{f.HandlerCounter, f.HandlerStaff, f.RouteUnit, f.RouteCounter, f.RouteStaff} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, list := range [][]string{f.Names, f.Levels} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(f.Risk)))
	b = append(b, f.Risk...)
	b = binary.AppendVarint(b, int64(f.Meetings))
	b = binary.AppendVarint(b, int64(f.Warnings))
	var flags byte
	for i, on := range []bool{f.Major, f.ReviewOpen, f.Objected} {
		if on {
			flags |= 1 << i
		}
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, int64(f.Collective))
	for _, s := range []string{f.AccusedUnit, f.AccusedStaff} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(f.Recused)))
	for _, s := range f.Recused {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// factsDecoder decodes facts records into one reused Facts, interning the
// strings that repeat across cases (type, unit, status …) so a year's scan
// allocates little.
type factsDecoder struct {
	intern map[string]string
	f      cases.Facts
	noKeys bool // skip the visitor keys (FactsRange.NoKeys): a list that does not search by them
}

func newFactsDecoder() *factsDecoder { return &factsDecoder{intern: map[string]string{}} }

func (d *factsDecoder) str(b []byte, pos *int, intern bool) (string, error) {
	n, k := binary.Uvarint(b[*pos:])
	if k <= 0 || n > uint64(len(b)-*pos-k) {
		return "", errFacts
	}
	*pos += k
	raw := b[*pos : *pos+int(n)]
	*pos += int(n)
	if n == 0 {
		return "", nil // most of a record's optional fields
	}
	if !intern {
		return string(raw), nil
	}
	if s, ok := d.intern[string(raw)]; ok {
		return s, nil
	}
	s := string(raw)
	if len(d.intern) < 4096 {
		d.intern[s] = s
	}
	return s, nil
}

func varint(b []byte, pos *int) (int64, error) {
	v, k := binary.Varint(b[*pos:])
	if k <= 0 {
		return 0, errFacts
	}
	*pos += k
	return v, nil
}

// decode parses b into d.f, which stays valid until the next call.
func (d *factsDecoder) decode(b []byte) (*cases.Facts, error) {
	if len(b) == 0 || b[0] < 1 || b[0] > factsVersion {
		return nil, errFacts
	}
	f := &d.f
	keys, names, levels, recused := f.VisitorKeys[:0], f.Names[:0], f.Levels[:0], f.Recused[:0]
	*f = cases.Facts{}
	pos := 1
	var strs [8]string
	for i := range strs {
		s, err := d.str(b, &pos, i > 0)
		if err != nil {
			return nil, err
		}
		strs[i] = s
	}
	f.Code, f.Type, f.ServiceID, f.Unit = strs[0], strs[1], strs[2], strs[3]
	f.Channel, f.Status, f.Outcome, f.Referral = cases.Channel(strs[4]), cases.Status(strs[5]), cases.Outcome(strs[6]), cases.Referral(strs[7])
	for _, p := range []*cases.Date{&f.Day, &f.AcceptDue, &f.Accepted, &f.HandleDue, &f.Handled, &f.Closed} {
		v, err := varint(b, &pos)
		if err != nil || v < -1<<31 || v >= 1<<31 {
			return nil, errFacts
		}
		*p = cases.Date(v)
	}
	for _, p := range []*int{&f.Persons, &f.Visits, &f.VisitPersons, &f.Supervisions, &f.AutoSupervis, &f.LateReplies, &f.Routes} {
		v, err := varint(b, &pos)
		if err != nil || v < 0 || v > 1<<30 {
			return nil, errFacts
		}
		*p = int(v)
	}
	v, err := varint(b, &pos)
	if err != nil || v < -1 || v > 1 {
		return nil, errFacts
	}
	f.Satisfaction = int8(v)
	if pos >= len(b) || b[pos] > 1 {
		return nil, errFacts
	}
	f.Extended = b[pos] == 1
	pos++
	n, k := binary.Uvarint(b[pos:])
	if k <= 0 || n > 64 {
		return nil, errFacts
	}
	pos += k
	for range n {
		if d.noKeys { // step over it: no string made
			l, k := binary.Uvarint(b[pos:])
			if k <= 0 || l > uint64(len(b)-pos-k) {
				return nil, errFacts
			}
			pos += k + int(l)
			continue
		}
		s, err := d.str(b, &pos, false)
		if err != nil {
			return nil, err
		}
		keys = append(keys, s)
	}
	f.VisitorKeys = keys
	if b[0] >= 2 {
		f.Listed = true
		for _, p := range []*string{&f.HandlerCounter, &f.HandlerStaff, &f.RouteUnit, &f.RouteCounter, &f.RouteStaff} {
			if *p, err = d.str(b, &pos, true); err != nil {
				return nil, err
			}
		}
		if f.Names, err = d.list(b, &pos, names, false); err != nil {
			return nil, err
		}
		if f.Levels, err = d.list(b, &pos, levels, true); err != nil {
			return nil, err
		}
		risk, err := d.str(b, &pos, true)
		if err != nil {
			return nil, err
		}
		f.Risk = cases.Risk(risk)
		for _, p := range []*int{&f.Meetings, &f.Warnings} {
			v, err := varint(b, &pos)
			if err != nil || v < 0 || v > 1<<20 {
				return nil, errFacts
			}
			*p = int(v)
		}
		if pos >= len(b) || b[pos] > 7 {
			return nil, errFacts
		}
		f.Major, f.ReviewOpen, f.Objected = b[pos]&1 != 0, b[pos]&2 != 0, b[pos]&4 != 0
		pos++
		v, err := varint(b, &pos)
		if err != nil || v < 0 || v > 1<<20 {
			return nil, errFacts
		}
		f.Collective = int(v)
		for _, p := range []*string{&f.AccusedUnit, &f.AccusedStaff} {
			if *p, err = d.str(b, &pos, true); err != nil {
				return nil, err
			}
		}
		if f.Recused, err = d.list(b, &pos, recused, true); err != nil {
			return nil, err
		}
	}
	if pos != len(b) {
		return nil, errFacts
	}
	return f, nil
}

// list decodes a count and that many strings into out[:0].
func (d *factsDecoder) list(b []byte, pos *int, out []string, intern bool) ([]string, error) {
	n, k := binary.Uvarint(b[*pos:])
	if k <= 0 || n > 64 {
		return nil, errFacts
	}
	*pos += k
	for range n {
		s, err := d.str(b, pos, intern)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
