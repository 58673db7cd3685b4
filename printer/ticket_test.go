package printer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"yiting/printer"
	"yiting/printer/typeface"
)

func variants() map[string]printer.Ticket {
	full := sampleTicket()
	reprint := sampleTicket()
	reprint.Reprint = true
	reprint.Priority = "优先"
	anon := sampleTicket()
	anon.Visitor, anon.CaseCode, anon.CaseURL, anon.Note = "", "", "", ""
	anon.Ahead = 0
	return map[string]printer.Ticket{"full": full, "reprint": reprint, "anonymous": anon}
}

func TestTicketText(t *testing.T) {
	for name, tk := range variants() {
		for _, cols := range []int{48, 32} {
			text := tk.Text(cols)
			golden(t, "ticket-"+name+"-"+map[int]string{48: "80mm", 32: "58mm"}[cols]+".txt", []byte(text))
			for _, line := range strings.Split(text, "\n") {
				if w := typeface.Width(line); w > cols {
					t.Errorf("%s/%d: line %q is %d columns wide", name, cols, line, w)
				}
			}
		}
	}
	full := variants()["full"].Text(48)
	for _, want := range []string{"A012", "矛盾纠纷调解", "请到：3号窗口（一楼东侧）", "前方等待：3 人", "取号时间：2026-11-20 09:31",
		"姓名：张*三", "首访负责：请到3号窗口", "[QR http://hall.local/c/AbC123XyZ7890]",
		"案件码：AbC123XyZ7890", "请留意叫号，过号请重新取号"} {
		if !strings.Contains(full, want) {
			t.Errorf("ticket text lacks %q", want)
		}
	}
	if strings.Contains(full, printer.ReprintMark) {
		t.Error("an original ticket carries the reprint mark")
	}
	if !strings.HasPrefix(strings.TrimSpace(variants()["reprint"].Text(48)), printer.ReprintMark) {
		t.Error("a reprint does not start with the reprint mark")
	}
	anon := variants()["anonymous"].Text(48)
	if strings.Contains(anon, "姓名") || strings.Contains(anon, "[QR") || strings.Contains(anon, "案件码") {
		t.Errorf("anonymous ticket without a case shows a name or QR block:\n%s", anon)
	}
}

func TestTicketWrapAndClean(t *testing.T) {
	tk := sampleTicket()
	tk.Location = "综合楼二楼西侧走廊尽头左转第三间，门口有指示牌，请按指示牌前往"
	tk.Hall = "示例县\x1b@社会治理\n综合服务中心"
	text := tk.Text(32)
	if strings.ContainsAny(text, "\x1b\x1d\x10") {
		t.Error("control characters reached the ticket text")
	}
	lines := strings.Split(text, "\n")
	for _, l := range lines {
		if typeface.Width(l) > 32 {
			t.Errorf("line %q too wide", l)
		}
		if trimmed := strings.TrimSpace(l); trimmed != "" && strings.ContainsRune("，。）", []rune(trimmed)[0]) {
			t.Errorf("line starts with closing punctuation: %q", l)
		}
	}
	if !strings.Contains(text, "示例县 @社会治理 综合服务中心") {
		t.Errorf("hall name not cleaned as expected:\n%s", text)
	}
}

func TestTicketValidate(t *testing.T) {
	p, _ := printer.ProfileByName("80mm")
	bad := map[string]func(*printer.Ticket){
		"no number":     func(t *printer.Ticket) { t.Number = " " },
		"chinese QR":    func(t *printer.Ticket) { t.CaseURL = "http://hall.local/c/案件" },
		"control in QR": func(t *printer.Ticket) { t.CaseURL = "http://x/\x10\x04\x01" },
		"long QR":       func(t *printer.Ticket) { t.CaseURL = "http://x/" + strings.Repeat("a", 1010) },
	}
	for name, mod := range bad {
		tk := sampleTicket()
		mod(&tk)
		if err := tk.Validate(p); !errors.Is(err, printer.ErrInvalidTicket) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := printer.Encode(tk, p, nil); !errors.Is(err, printer.ErrInvalidTicket) {
			t.Errorf("%s: Encode error %v", name, err)
		}
	}
	if err := sampleTicket().Validate(p); err != nil {
		t.Error(err)
	}
}

// A township's case code (a 9-digit region, issue 14) is 25 characters:
// on 58 mm paper it stands whole on its own line; on 80 mm beside its
// label.
func TestTicketTownshipCaseCode(t *testing.T) {
	tk := sampleTicket()
	tk.CaseURL, tk.CaseCode = "https://county.example/c/abc", "421224101-20261126-0007-5"
	narrow := strings.Split(tk.Text(32), "\n")
	if !slices.ContainsFunc(narrow, func(l string) bool { return strings.TrimSpace(l) == tk.CaseCode }) {
		t.Errorf("58 mm: the code is not whole on its own line:\n%s", strings.Join(narrow, "\n"))
	}
	if wide := tk.Text(48); !strings.Contains(wide, "案件码："+tk.CaseCode) {
		t.Errorf("80 mm: the code is not beside its label:\n%s", wide)
	}
	tk.CaseCode = "421224-20261126-0007-5"
	if narrow := tk.Text(32); !strings.Contains(narrow, "案件码："+tk.CaseCode) {
		t.Errorf("58 mm, a county's code: not beside its label:\n%s", narrow)
	}
}
