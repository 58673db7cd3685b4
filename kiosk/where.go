package kiosk

import (
	"strings"

	"yiting/queue"
)

// where tells the visitor where to go: the counter the ticket is bound to
// (first-visit routing), or else the counters that take the service first
// (the highest weight): one by name, two or three by their names, more by
// the part of the building they share (then location is empty). location
// is where the counter is.
func where(info HallInfo, t queue.Ticket) (counter, location string) {
	c, l, _ := whereCounters(info, t)
	return c, l
}

// whereCounters is where, and the counters it names (none when it names
// a place): the kiosk's voice says their pinyin.
func whereCounters(info HallInfo, t queue.Ticket) (counter, location string, named []queue.Counter) {
	if t.TargetCounter != "" {
		if c, ok := info.Counter(t.TargetCounter); ok {
			return c.Name, c.Location, []queue.Counter{c}
		}
	}
	var primary []queue.Counter
	best := 0
	for _, c := range info.Counters {
		w, ok := c.Serves(t.ServiceID)
		switch {
		case !ok:
		case w > best:
			best, primary = w, []queue.Counter{c}
		case w == best:
			primary = append(primary, c)
		}
	}
	switch {
	case len(primary) == 0:
		return "", "", nil
	case len(primary) == 1:
		return primary[0].Name, primary[0].Location, primary
	}
	locs := make([]string, len(primary))
	for i, c := range primary {
		locs[i] = c.Location
	}
	location = commonPlace(locs)
	if len(primary) > 3 {
		return location, "", nil // 请到：一楼联合接访大厅
	}
	names := make([]string, len(primary))
	for i, c := range primary {
		names[i] = c.Name
	}
	return strings.Join(names, "、"), location, primary
}

// commonPlace is the part of the building several locations share:
// their common leading words ("一楼联合接访大厅 1号窗口" and "一楼联合接访大厅
// 2号窗口" share "一楼联合接访大厅"), or "" when they share too little.
func commonPlace(locs []string) string {
	if len(locs) == 0 {
		return ""
	}
	prefix := []rune(locs[0])
	for _, l := range locs[1:] {
		r := []rune(l)
		n := 0
		for n < len(prefix) && n < len(r) && prefix[n] == r[n] {
			n++
		}
		prefix = prefix[:n]
	}
	p := string(prefix)
	whole := true
	for _, l := range locs {
		if l != p && !strings.HasPrefix(l[len(p):], " ") {
			whole = false
		}
	}
	if !whole {
		// The shared part ends inside a word: keep the whole words.
		if i := strings.LastIndexByte(p, ' '); i > 0 {
			p = p[:i]
		} else if len([]rune(p)) < 2 {
			p = ""
		}
	}
	return strings.TrimSpace(p)
}
