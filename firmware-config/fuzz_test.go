package hallconfig

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, must
// return either a Config or an *Error, and a Config it returns must
// survive MarshalTOML and Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add(DefaultFile())
	small, err := os.ReadFile(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add([]byte(minimalHall))
	f.Add([]byte(minimalHall + "\n[cases]\nretention_years = 10\nrectify_within = \"1 day\"\n[cases.limits.\"mediation.medical\"]\nhandle = \"none\"\n"))
	f.Add([]byte("[cases.limits.a.b]\n[cases.limits.\"x\"]\nhandle = \"-1 days\"\n"))
	f.Add([]byte(""))
	f.Add([]byte("name = \"x\"\n[[services]]\nid = \"a\"\nprefix = 1\n"))
	f.Add([]byte("[priority]\nclasses = [{id = \"x\", q = 1}]\n"))
	f.Add([]byte("[[counters]]\nservices = [\"a:2\", \"b:\", \":\", 3]\n"))
	f.Add([]byte("\ufeffname = \"\\u0007\"\n[hours]\nopen = \"24:00\"\nclose = \"00:00\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.toml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			if e.File != "fuzz.toml" || e.Problem == "" {
				t.Fatalf("error without file or problem: %+v", e)
			}
			return
		}
		out, err := c.MarshalTOML()
		if err != nil {
			t.Fatalf("MarshalTOML of a parsed config: %v", err)
		}
		back, err := Parse("marshalled.toml", out)
		if err != nil {
			t.Fatalf("Parse(MarshalTOML(c)): %v\n%s", err, out)
		}
		equalConfig(t, back, c)
	})
}
