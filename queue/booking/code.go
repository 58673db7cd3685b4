package booking

import (
	"fmt"
	"io"
	"strings"

	"yiting/queue"
	"yiting/queue/personal"
)

// A booking code is 8 characters of an alphabet without the look-alikes
// 0/O, 1/I/L: 31⁸ ≈ 8.5·10¹¹ codes (39 bits) for a few hundred live
// bookings, typed at the kiosk as XXXX-XXXX. Unguessable by chance; the
// public routes that take one are rate limited so it cannot be searched.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	codeLen      = 8
)

// newCode draws a code from r (crypto/rand in production), uniformly:
// bytes past the last whole multiple of the alphabet are drawn again.
func newCode(r io.Reader) (string, error) {
	const limit = 256 / len(codeAlphabet) * len(codeAlphabet)
	out := make([]byte, 0, codeLen)
	var b [16]byte
	for len(out) < codeLen {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("booking: code: %w", err)
		}
		for _, v := range b {
			if int(v) < limit && len(out) < codeLen {
				out = append(out, codeAlphabet[int(v)%len(codeAlphabet)])
			}
		}
	}
	return string(out), nil
}

// FormatCode shows a code in two groups: "7KQ2-MX9D".
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeCode reads a typed code: case, spaces and dashes do not matter.
func NormalizeCode(s string) (string, error) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\t", "").Replace(s))
	if len(s) != codeLen {
		return "", queue.Errorf(queue.EINVALID, "预约码为8位字母和数字，例如 7KQ2-MX9D (a booking code has 8 characters)")
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", queue.Errorf(queue.EINVALID, "预约码中有无效字符：%q (bad character in the booking code)", r)
		}
	}
	return s, nil
}

// codeKey is the keyed hash a code is found by: the hall's HMAC, so a copy
// of the database cannot be searched for codes without the key file.
func codeKey(k *personal.Keys, code string) string { return k.VisitorKey("booking-code:" + code) }
