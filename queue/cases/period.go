package cases

import (
	"fmt"
	"strconv"
	"time"
)

// AssessPeriod reads an assessment's period (?period= of the units'
// assessment pages): "2026" (a year), "2026-Q4" (a quarter),
// "2026-11" (a month); "" is this year so far.
func AssessPeriod(s string, today Date) (from, to Date, label string, err error) {
	bad := fmt.Errorf("考核期间应为 2026、2026-Q4 或 2026-11：%q", s)
	if s == "" {
		y := today.Year()
		return MakeDate(y, time.January, 1), today, strconv.Itoa(y) + "年（至今）", nil
	}
	y, err := strconv.Atoi(s[:min(4, len(s))])
	if err != nil || len(s) < 4 || y < 2000 || y > 2999 {
		return 0, 0, "", bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		return MakeDate(y, time.January, 1), MakeDate(y, time.December, 31), strconv.Itoa(y) + "年", nil
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		q := int(rest[2] - '0')
		first := MakeDate(y, time.Month(3*q-2), 1)
		return first, MakeDate(y, time.Month(3*q+1), 1) - 1, fmt.Sprintf("%d年第%d季度", y, q), nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return 0, 0, "", bad
		}
		return MakeDate(y, time.Month(m), 1), MakeDate(y, time.Month(m)+1, 1) - 1, fmt.Sprintf("%d年%d月", y, m), nil
	}
	return 0, 0, "", bad
}
