package hallconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The [county] section: none by default; a site with its hub and
// credentials; each mistake named with its field.
func TestCountySection(t *testing.T) {
	if c := mustDefault(t).County; c != (County{}) {
		t.Errorf("the default hall is a county site: %+v", c)
	}
	base, err := os.ReadFile(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	parse := func(section string) (*Config, error) {
		return Parse("hall.toml", append(append([]byte{}, base...), "\n[county]\n"+section+"\n"...))
	}
	c, err := parse(`site = "421224101"` + "\n" + `hub = "tls://county.example.cn:7422"` + "\n" + `credentials = "/etc/yiting/county.creds"`)
	if err != nil || c.County != (County{Site: "421224101", Hub: "tls://county.example.cn:7422", Credentials: "/etc/yiting/county.creds"}) {
		t.Fatalf("a site: %+v, %v", c, err)
	}
	for _, tc := range []struct{ section, field, problem string }{
		{`site = "南林桥"`, "county.site", "letters, digits"},
		{`hub = "tls://county.example.cn:7422"`, "county.site", "need the site's id"},
		{`site = "s1"` + "\n" + `hub = "county.example.cn:7422"`, "county.hub", "leaf-node URL"},
		{`site = "s1"` + "\n" + `hub = "http://county.example.cn"`, "county.hub", "leaf-node URL"},
		{`site = "s1"` + "\n" + `credentials = "county.creds"`, "county.credentials", "absolute path"},
	} {
		_, err := parse(tc.section)
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || !strings.Contains(e.Problem, tc.problem) || e.Line == 0 {
			t.Errorf("%q: %v", tc.section, err)
		}
	}
}
