package sites_test

import (
	"errors"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/sites"
)

// A new site's mistakes are named by their field, in Chinese.
func TestCheck(t *testing.T) {
	ok := sites.Site{ID: "421224101", Name: "南林桥镇综治中心", RegionCode: "421224101"}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for field, s := range map[string]sites.Site{
		"id":          {ID: "county", Name: "x"},
		"name":        {ID: "a", Name: strings.Repeat("镇", 65)},
		"region_code": {ID: "a", Name: "x", RegionCode: "4212241"},
	} {
		var e *queue.Error
		if err := s.Check(); !errors.As(err, &e) || e.Code != queue.EINVALID || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	for id, want := range map[string]bool{"421224101": true, "site-a_1": true, "": false, "a.b": false, "county": false, strings.Repeat("x", 33): false} {
		if sites.ValidID(id) != want {
			t.Errorf("ValidID(%q) = %v", id, !want)
		}
	}
}
