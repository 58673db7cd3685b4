package queue

import "fmt"

// UnitKind says how a unit is present in the centre (docs/domain.md: the
// seed's 6 resident units, 14 dispatched units and 7 committees).
type UnitKind string

// Unit kinds.
const (
	UnitResident   UnitKind = "resident"   // 常驻单位: 公安局, 法院 …
	UnitDispatched UnitKind = "dispatched" // 派驻单位: 人社局, 住建局 … (some take turns at a shared window)
	UnitCommittee  UnitKind = "committee"  // 行业性专业性人民调解委员会
	UnitOther      UnitKind = "other"      // anyone else who handles matters (the centre's own staff, counsellors)
)

// Unit is an organisation that handles matters in the centre: cases are
// received into, assigned to and assessed by units. A unit needs no
// counter of its own: a dispatched unit that takes turns at a shared
// window, or only answers assignments, is one all the same, and its
// liaisons belong to it directly (Principal.Units).
type Unit struct {
	Name string   // "自然资源和规划局"
	Kind UnitKind //
}

// UnitNames lists the hall's units: those it names, in order, then any
// counter's unit it does not name (a hall file written before units had
// their own list).
func (h *Hall) UnitNames() []string {
	out := make([]string, 0, len(h.Units))
	seen := map[string]bool{"": true}
	add := func(u string) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, u := range h.Units {
		add(u.Name)
	}
	for _, c := range h.Counters {
		add(c.Unit)
	}
	return out
}

// HasUnit reports whether name is one of UnitNames.
func (h *Hall) HasUnit(name string) bool {
	if name == "" {
		return false
	}
	for _, u := range h.Units {
		if u.Name == name {
			return true
		}
	}
	for _, c := range h.Counters {
		if c.Unit == name {
			return true
		}
	}
	return false
}

// validateUnits checks the named units: each once, of a known kind; when
// the hall names any, every counter's unit is one of them (a misspelt
// unit would otherwise be a unit of its own, with its own cases).
func (h *Hall) validateUnits() error {
	named := map[string]bool{}
	for i, u := range h.Units {
		f := fmt.Sprintf("units[%d]", i)
		if u.Name == "" {
			return Invalid(f+".name", "missing")
		}
		if named[u.Name] {
			return Invalid(f+".name", "%q is named twice", u.Name)
		}
		named[u.Name] = true
		switch u.Kind {
		case UnitResident, UnitDispatched, UnitCommittee, UnitOther:
		default:
			return Invalid(f+".kind", "%q is not one of resident, dispatched, committee, other", u.Kind)
		}
	}
	if len(h.Units) == 0 {
		return nil
	}
	for i, c := range h.Counters {
		if c.Unit != "" && !named[c.Unit] {
			return Invalid(fmt.Sprintf("counters[%d].unit", i), "%q is not one of the hall's [[units]]", c.Unit)
		}
	}
	return nil
}
