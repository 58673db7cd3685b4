// Package speech is what the hall's voices share: how a ticket number is
// read in pinyin for espeak-ng's cmn-latn-pinyin voice (platform-notes.md:
// it reads pinyin with tone numbers correctly, where its Mandarin voice
// misreads characters), which pinyin may reach the synthesizer, and the
// error of a voice that is not installed. The board (queue/web) and the
// kiosk (kiosk/kioskweb) speak through it.
package speech

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrNotInstalled is returned by a synthesizer whose program is not
// installed now: the page speaks with the browser's voice meanwhile.
var ErrNotInstalled = errors.New("speech: no speech synthesizer installed")

// How letters and digits of a ticket number are read: letter by letter,
// digit by digit ("A012" → A 零 一 二), as Chinese halls announce them.
// Letters follow the common Chinese way of saying the Latin alphabet.
var (
	letterPinyin = [26]string{
		"ei1", "bi4", "xi1", "di4", "yi4", "ai2 fu1", "ji4", "ai2 qi1", "ai4", "jie4", "kai4", "ai2 le5", "ai2 mu5",
		"en1", "ou1", "pi4", "qiu1", "a4 er3", "ai2 si1", "ti4", "you1", "wei1", "da2 bu5 liu5", "ai2 ke4 si1", "wai4", "zei4",
	}
	digitPinyin = [10]string{"ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"}
)

var (
	// numberPattern is a ticket number as the engine formats it.
	numberPattern = regexp.MustCompile(`^[A-Z][0-9]{3,7}$`)
	// pinyinPattern is what the configuration may give as a counter's
	// pinyin: syllables of letters (ü written v) with an optional tone
	// digit, separated by single spaces. Nothing else reaches the
	// synthesizer.
	pinyinPattern = regexp.MustCompile(`^[a-zv]{1,6}[1-5]?( [a-zv]{1,6}[1-5]?)*$`)
)

// IsNumber reports whether s is a ticket number as the engine formats it.
func IsNumber(s string) bool { return numberPattern.MatchString(s) }

// Number is a ticket number in pinyin, letter by letter and digit by
// digit: "A012" → "ei1 ling2 yi1 er4". It returns an error for anything
// that is not a ticket number.
func Number(number string) (string, error) {
	if !IsNumber(number) {
		return "", fmt.Errorf("speech: %q is not a ticket number", number)
	}
	var b strings.Builder
	b.WriteString(letterPinyin[number[0]-'A'])
	for _, d := range number[1:] {
		b.WriteString(" ")
		b.WriteString(digitPinyin[d-'0'])
	}
	return b.String(), nil
}

// Clean returns configured pinyin ("San1 Hao4  chuang1 kou3") in the one
// form the synthesizer gets, and false when it is empty or not pinyin.
func Clean(p string) (string, bool) {
	p = strings.Join(strings.Fields(strings.ToLower(p)), " ")
	return p, p != "" && pinyinPattern.MatchString(p)
}
