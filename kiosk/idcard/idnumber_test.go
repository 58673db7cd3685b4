package idcard

import (
	"errors"
	"testing"
)

// TestCheckSumWorkedExample follows the standard's own example step by step:
// 11010519491231002X, products 7,9,0,5,0,20,2,9,24,27,7,18,30,5,0,0,4,
// sum 167, 167 mod 11 = 2, check X.
func TestCheckSumWorkedExample(t *testing.T) {
	sum, err := checkSum("11010519491231002")
	if err != nil || sum != 167 {
		t.Fatalf("checkSum = %d, %v; want 167", sum, err)
	}
	if sum%11 != 2 {
		t.Fatalf("167 mod 11 = %d", sum%11)
	}
	c, err := CheckChar("11010519491231002")
	if err != nil || c != 'X' {
		t.Errorf("CheckChar = %q, %v; want 'X'", c, err)
	}
}

func TestValidateIDNumber(t *testing.T) {
	for _, tc := range []struct {
		n  string
		ok bool
	}{
		// The doc's valid examples.
		{"11010519491231002X", true},
		{"440524188001010014", true},
		{"932682198501010017", true}, // 2023 foreign card: 9, province 32
		{"911124198108030024", true}, // 2023 foreign card: 9, province 11
		{"421224198506150012", true}, // 通山县, synthetic
		// Wrong check characters: the doc's examples with the last one changed.
		{"110105194912310021", false},
		{"11010519491231002x", false}, // lower-case x is not what cards carry
		{"440524188001010015", false},
		{"932682198501010018", false},
		// Check characters right, other parts wrong.
		{"991224198506150013", false}, // no province 99
		{"001224198506150014", false}, // no province 00
		{"421224198513150010", false}, // month 13
		{"42122419850230001X", false}, // 30 February
		{"42122417000101001X", false}, // year 1700
		{"42122419850615001", false},  // 17 characters
		{"4212241985061500122", false},
		{"42122419850615A012", false},
		{"", false},
	} {
		err := ValidateIDNumber(tc.n)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateIDNumber(%q) = %v, want ok=%v", tc.n, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateIDNumber(%q) = %v, not ErrInvalid", tc.n, err)
		}
	}
}

// TestValidateIDNumberCheckCharOnly isolates the check character: for each
// body, exactly one of the eleven characters passes.
func TestValidateIDNumberCheckCharOnly(t *testing.T) {
	for _, body := range []string{"11010519491231002", "44052418800101001", "93268219850101001", "42122419500210002"} {
		passed := ""
		for _, c := range "0123456789X" {
			if ValidateIDNumber(body+string(c)) == nil {
				passed += string(c)
			}
		}
		want, _ := CheckChar(body)
		if passed != string(want) {
			t.Errorf("%s: characters %q pass, want only %q", body, passed, want)
		}
	}
}

func TestFieldErrorDoesNotLeak(t *testing.T) {
	n := "421224198506150013" // wrong check character
	err := ValidateIDNumber(n)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, part := range []string{n, n[:10], "19850615"} {
		if contains(err.Error(), part) {
			t.Errorf("error %q shows %q", err, part)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
