package cases_test

import (
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
)

func TestCodeFormat(t *testing.T) {
	c := cases.Code{Region: "421224", Day: cases.MakeDate(2026, 11, 26), Seq: 7}
	s := c.String()
	if !strings.HasPrefix(s, "421224-20261126-0007-") || len(s) != 22 {
		t.Fatalf("code %q", s)
	}
	for _, typed := range []string{s, strings.ReplaceAll(s, "-", ""), " " + strings.ReplaceAll(s, "-", " ") + " ", strings.ToLower(s)} {
		got, err := cases.ParseCode(typed)
		if err != nil {
			t.Fatalf("parse %q: %v", typed, err)
		}
		if got != c {
			t.Fatalf("parse %q = %+v, want %+v", typed, got, c)
		}
	}
}

// TestCodeCheckCharIsTheIDCardScheme: the check character is ISO 7064
// MOD 11-2 as in GB 11643; on synthetic ID numbers whose check characters
// were computed with the standard's weight table (idcardsim's cards and
// synthID), a code built from the same 17 digits plus one agrees.
func TestCodeCheckCharIsTheIDCardScheme(t *testing.T) {
	// 18 digits: 421224 19850615 0012 as region/day/seq has the check
	// character that MOD 11-2 gives those 18 digits.
	for _, id := range []string{"421224198506150012", "421224195002100026", synthID(1), synthID(777), synthID(12345)} {
		// An ID number is 17 digits + check; extend with a digit to
		// reach the code's 18, and compare with the weighted sum
		// computed here independently.
		digits := id[:17] + "5"
		weights := []int{}
		w := 2
		for range 18 {
			weights = append([]int{w}, weights...)
			w = w * 2 % 11
		}
		sum := 0
		for i, c := range digits {
			sum += int(c-'0') * weights[i]
		}
		want := "10X98765432"[sum%11]
		if len(id) == 18 && id[17] != "10X98765432"[idSum(id[:17])%11] {
			t.Fatalf("test data %s has a wrong check character", id)
		}
		day, err := cases.ParseDate(digits[6:10] + "-" + digits[10:12] + "-" + digits[12:14])
		if err != nil {
			t.Fatal(err)
		}
		seq := 0
		for _, c := range digits[14:] {
			seq = seq*10 + int(c-'0')
		}
		code := cases.Code{Region: digits[:6], Day: day, Seq: seq}.String()
		if code[len(code)-1] != want {
			t.Errorf("code %s: check %c, MOD 11-2 says %c", code, code[len(code)-1], want)
		}
	}
}

func idSum(body string) int {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i, w := range weights {
		s += int(body[i]-'0') * w
	}
	return s
}

// TestCodeCatchesTypos: every single mistyped character and every swap of
// two different neighbouring characters of a code is refused, over codes
// of many days and sequence numbers.
func TestCodeCatchesTypos(t *testing.T) {
	alphabet := "0123456789X"
	checked := 0
	for _, day := range []cases.Date{cases.MakeDate(2025, 1, 1), cases.MakeDate(2026, 2, 17), cases.MakeDate(2026, 11, 26), cases.MakeDate(2031, 12, 31)} {
		for _, seq := range []int{1, 7, 10, 99, 123, 600, 4711, 9999} {
			for _, region := range []string{"421224", "110101", "650102", "421224101"} {
				good := strings.ReplaceAll(cases.Code{Region: region, Day: day, Seq: seq}.String(), "-", "")
				if _, err := cases.ParseCode(good); err != nil {
					t.Fatalf("%s: %v", good, err)
				}
				b := []byte(good)
				for i := range b {
					for _, r := range []byte(alphabet) {
						if r == good[i] {
							continue
						}
						typo := append([]byte(nil), b...)
						typo[i] = r
						if _, err := cases.ParseCode(string(typo)); err == nil {
							t.Fatalf("substitution %s → %s accepted", good, typo)
						}
						checked++
					}
					if i+1 < len(b) && b[i] != b[i+1] {
						typo := append([]byte(nil), b...)
						typo[i], typo[i+1] = typo[i+1], typo[i]
						if _, err := cases.ParseCode(string(typo)); err == nil {
							t.Fatalf("transposition %s → %s accepted", good, typo)
						}
						checked++
					}
				}
			}
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d typos checked", checked)
	}
}

// TestCodeTownship: a township's code has its 9-digit region (issue 14),
// so two sites' codes of the same day and number differ; it reads back.
func TestCodeTownship(t *testing.T) {
	c := cases.Code{Region: "421224101", Day: cases.MakeDate(2026, 11, 26), Seq: 7}
	s := c.String()
	if s != "421224101-20261126-0007-5" {
		t.Fatalf("code %q", s)
	}
	for _, typed := range []string{s, strings.ReplaceAll(s, "-", "")} {
		if got, err := cases.ParseCode(typed); err != nil || got != c {
			t.Fatalf("parse %q = %+v, %v", typed, got, err)
		}
	}
	other := cases.Code{Region: "421224102", Day: c.Day, Seq: c.Seq}.String()
	county := cases.Code{Region: "421224", Day: c.Day, Seq: c.Seq}.String()
	if other == s || county == s || other[:9] == s[:9] {
		t.Errorf("codes of two sites meet: %s %s %s", s, other, county)
	}
	if !cases.ValidRegion("421224101") || !cases.ValidRegion("421224") || cases.ValidRegion("4212241") || cases.ValidRegion("42122410a") {
		t.Error("ValidRegion")
	}
}

func TestParseCodeRefuses(t *testing.T) {
	good := cases.Code{Region: "421224", Day: cases.MakeDate(2026, 11, 26), Seq: 7}.String()
	for _, bad := range []string{"", "421224", good + "1", "1" + good, "12" + good, "421224-20261126-0007-A", "421224-2026112X-0007-" + good[21:],
		"421224-20261326-0007-1", "421224-20261126-0000-" + cases.Code{Region: "421224", Day: cases.MakeDate(2026, 11, 26)}.String()[21:]} {
		if _, err := cases.ParseCode(bad); queue.ErrorCode(err) != queue.EINVALID {
			t.Errorf("ParseCode(%q) = %v, want invalid", bad, err)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	f.Add("421224-20261126-0007-X")
	f.Add("42122420261126000")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := cases.ParseCode(s)
		if err != nil {
			return
		}
		again, err := cases.ParseCode(c.String())
		if err != nil || again != c {
			t.Fatalf("%q parsed to %+v, whose string %q does not parse back: %v", s, c, c.String(), err)
		}
	})
}

func TestCodeDay(t *testing.T) {
	for _, c := range []struct {
		code string
		want cases.Date
		ok   bool
	}{
		{"421224-20261126-0007-5", cases.MakeDate(2026, 11, 26), true},
		{"421224-20260229-0007-5", 0, false},
		{"421224-20261326-0007-5", 0, false},
		{"421224-2026112-0007-5", 0, false},
		{"42122420261126000075", 0, false},
		{"421224-2026a126-0007-5", 0, false},
		{"421224101-20261126-0007-5", cases.MakeDate(2026, 11, 26), true},
		{"4212241-20261126-0007-5", 0, false},
		{"421224101-2026112-0007-5", 0, false},
	} {
		if got, ok := cases.CodeDay(c.code); got != c.want || ok != c.ok {
			t.Errorf("CodeDay(%q) = %s %v, want %s %v", c.code, got, ok, c.want, c.ok)
		}
	}
}
