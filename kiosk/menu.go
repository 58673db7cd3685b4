package kiosk

import "yiting/queue"

// categoryTitle is the kiosk button of a category, as the hall names its
// areas (docs/domain.md).
func categoryTitle(c queue.Category) string {
	switch c {
	case queue.CategoryPetition:
		return "信访接待"
	case queue.CategoryMediation:
		return "矛盾纠纷调解"
	case queue.CategoryLegal:
		return "法律服务"
	case queue.CategoryCounseling:
		return "心理疏导"
	case queue.CategoryLitigation:
		return "诉讼服务"
	}
	return "咨询及其他"
}

// menu groups the services as the hall is laid out: by category in the
// order of queue.Categories, then by group in the order the configuration
// first names it. Services of no group come first, under no heading; a
// group named like its category gets no heading either. A category of a
// single service is titled by that service (心理疏导, 咨询).
func menu(services []ServiceInfo) []Category {
	var out []Category
	for _, c := range queue.Categories() {
		cat := Category{ID: string(c), Title: categoryTitle(c)}
		index := map[string]int{}
		n := 0
		for _, s := range services {
			if s.Category != c || (s.DutyOnly && s.Today == "") {
				continue // a duty-only service is offered on its days only
			}
			title := s.Group
			if title == cat.Title {
				title = ""
			}
			i, ok := index[title]
			if !ok {
				i = len(cat.Groups)
				index[title] = i
				cat.Groups = append(cat.Groups, MenuGroup{Title: title})
			}
			cat.Groups[i].Services = append(cat.Groups[i].Services,
				MenuService{ID: s.ID, Name: s.Name, Waiting: s.Waiting, NeedsID: s.NeedsID, Note: s.Today})
			n++
		}
		if n == 0 {
			continue
		}
		// The untitled group leads.
		if i, ok := index[""]; ok && i > 0 {
			g := cat.Groups[i]
			copy(cat.Groups[1:i+1], cat.Groups[:i])
			cat.Groups[0] = g
		}
		if n == 1 {
			cat.Title = cat.Groups[0].Services[0].Name
		}
		out = append(out, cat)
	}
	return out
}
