package printersim

import (
	"errors"
	"fmt"
	"strings"
)

// code128Patterns are the bar/space widths of CODE128 symbol values 0–106
// (ISO/IEC 15417); 106, the stop, includes its final 2-module bar.
func code128Pattern(v int) string {
	const table = "212222222122222221121223121322131222122213122312132212221213" +
		"221312231212112232122132122231113222123122123221223211221132" +
		"221231213212223112312131311222321122321221312212322112322211" +
		"212123212321232121111323131123131321112313132113132311211313" +
		"231113231311112133112331132131113123113321133121313121211331" +
		"231131213113213311213131311123311321331121312113312311332111" +
		"314111221411431111111224111422121124121421141122141221112214" +
		"112412122114122411142112142211241211221114413111241112134111" +
		"111242121142121241114212124112124211411212421112421211212141" +
		"214121412121111143111341131141114113114311411113411311113141" +
		"114131311141411131211412211214211232"
	if v == 106 {
		return "2331112"
	}
	return table[v*6 : v*6+6]
}

// code128Values turns the data of GS k 73 (code-set selectors "{A" "{B"
// "{C", "{{" for a literal brace, "{S" shift, "{1".."{4" functions) into
// symbol values with start and checksum, and the human-readable text.
func code128Values(data []byte) (vals []int, hri string, err error) {
	if len(data) < 2 || data[0] != '{' || data[1] < 'A' || data[1] > 'C' {
		return nil, "", errors.New("CODE128 data does not start with {A, {B or {C")
	}
	set := data[1]
	vals = append(vals, 103+int(set-'A'))
	var text strings.Builder
	char := func(c byte) error {
		switch set {
		case 'A':
			switch {
			case c < 32:
				vals = append(vals, int(c)+64)
			case c < 96:
				vals = append(vals, int(c)-32)
			default:
				return fmt.Errorf("byte %#x not in code set A", c)
			}
			text.WriteByte(c)
		case 'B':
			if c < 32 || c > 127 {
				return fmt.Errorf("byte %#x not in code set B", c)
			}
			vals = append(vals, int(c)-32)
			text.WriteByte(c)
		case 'C':
			if c > 99 {
				return fmt.Errorf("byte %#x not in code set C", c)
			}
			vals = append(vals, int(c))
			fmt.Fprintf(&text, "%02d", c)
		}
		return nil
	}
	for i := 2; i < len(data); i++ {
		c := data[i]
		if c != '{' {
			if err := char(c); err != nil {
				return nil, "", err
			}
			continue
		}
		if i+1 >= len(data) {
			return nil, "", errors.New("CODE128 data ends with {")
		}
		i++
		switch n := data[i]; n {
		case '{':
			if err := char('{'); err != nil {
				return nil, "", err
			}
		case 'A', 'B', 'C':
			if n == set {
				return nil, "", fmt.Errorf("CODE128 switch to the current set %c", n)
			}
			vals = append(vals, map[byte]int{'A': 101, 'B': 100, 'C': 99}[n])
			set = n
		case 'S':
			vals = append(vals, 98)
		case '1':
			vals = append(vals, 102)
		case '2':
			vals = append(vals, 97)
		case '3':
			vals = append(vals, 96)
		case '4':
			if set == 'A' {
				vals = append(vals, 101)
			} else {
				vals = append(vals, 100)
			}
		default:
			return nil, "", fmt.Errorf("CODE128 selector {%c", n)
		}
	}
	sum := vals[0]
	for i, v := range vals[1:] {
		sum += (i + 1) * v
	}
	return append(vals, sum%103, 106), text.String(), nil
}
