package access

import (
	"strings"
	"unicode/utf8"
)

// commonPasswords are passwords of ten or more characters that lists of
// leaked passwords put near the top, and the obvious ones of a hall
// (the product's, the centre's names): refused whatever their length.
var commonPasswords = map[string]bool{
	"1234567890": true, "12345678910": true, "123456789a": true, "a123456789": true, "1234567890a": true,
	"0123456789": true, "9876543210": true, "1111111111": true, "0000000000": true, "1qaz2wsx3edc": true,
	"qwertyuiop": true, "qwertyuiop123": true, "1q2w3e4r5t": true, "1q2w3e4r5t6y": true, "password1234": true,
	"password123": true, "password12": true, "passw0rd123": true, "administrator": true, "admin12345": true,
	"admin123456": true, "iloveyou123": true, "woaini1314": true, "woaini520": true, "5201314520": true,
	"abcdefghij": true, "abc1234567": true, "asdfghjkl123": true, "zxcvbnm123": true, "qq1234567890": true,
	"yiting12345": true, "yiting123456": true, "zongzhizhongxin": true, "zzzx123456": true, "12345678900": true,
}

// commonPassword reports whether pw is a common password, ignoring case,
// or one character repeated.
func commonPassword(pw string) bool {
	if commonPasswords[strings.ToLower(pw)] {
		return true
	}
	r, _ := utf8.DecodeRuneInString(pw)
	return pw != "" && strings.Count(pw, string(r)) == utf8.RuneCountInString(pw)
}
