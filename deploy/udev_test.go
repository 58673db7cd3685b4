package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func udevRules(t testing.TB, list string) (string, error) {
	t.Helper()
	return tryCmd(nil, "bash", filepath.Join(repo(t), "deploy/udev-rules.sh"), list)
}

// The shipped rules are what the generator makes of the shipped list:
// nobody edited one and forgot the other.
func TestShippedUdevRulesMatchTheList(t *testing.T) {
	r := repo(t)
	got, err := udevRules(t, filepath.Join(r, "firmware-config/pi/devices.list"))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if want := readFile(t, filepath.Join(r, "firmware-config/pi/99-yiting.rules")); got != want {
		t.Fatalf("firmware-config/pi/99-yiting.rules is stale: regenerate it with\n"+
			"  deploy/udev-rules.sh firmware-config/pi/devices.list > firmware-config/pi/99-yiting.rules\ngot:\n%s", got)
	}
	// The chips issue 8 names, each giving /dev/yiting-reader by default,
	// and the USB printer class giving /dev/yiting-printer.
	for _, id := range []string{"1a86:7523", "067b:2303", "10c4:ea60", "0403:6001", "0403:6015"} {
		v, p, _ := strings.Cut(id, ":")
		want := `SUBSYSTEM=="tty", ATTRS{idVendor}=="` + v + `", ATTRS{idProduct}=="` + p + `", SYMLINK+="yiting-reader", GROUP="dialout"`
		if !strings.Contains(got, want) {
			t.Errorf("no rule %s", want)
		}
	}
	if !strings.Contains(got, `SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", SYMLINK+="yiting-printer", GROUP="lp"`) {
		t.Error("no rule for the USB printer class")
	}
}

// Every form the list knows, against a golden file (go test -update).
func TestUdevRulesGolden(t *testing.T) {
	got, err := udevRules(t, "testdata/devices-all.list")
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	golden := "testdata/devices-all.rules"
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	if want := readFile(t, golden); got != want {
		t.Fatalf("rules differ from %s (go test -update to accept):\n%s", golden, got)
	}
	lintRules(t, got)
}

// lintRules checks each rule line the way udev reads it: comma-separated
// KEY op "value" pairs, match keys with == and assignments with = or +=,
// the parent-matching keys (KERNELS, ATTRS) on the same device, and only
// our two names.
func lintRules(t testing.TB, rules string) {
	t.Helper()
	pair := regexp.MustCompile(`^([A-Z_]+)(\{[A-Za-z_]+\})?(==|!=|\+=|:=|=)"([^"]*)"$`)
	match := map[string]bool{"SUBSYSTEM": true, "KERNEL": true, "KERNELS": true, "ATTRS": true}
	assign := map[string]bool{"SYMLINK": true, "GROUP": true, "MODE": true, "ENV": true}
	n := 0
	for _, line := range strings.Split(rules, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		var hasMatch, hasSymlink bool
		for _, p := range strings.Split(line, ", ") {
			m := pair.FindStringSubmatch(p)
			if m == nil {
				t.Errorf("not a udev key: %q in %q", p, line)
				continue
			}
			key, op, val := m[1], m[3], m[4]
			switch {
			case match[key]:
				hasMatch = true
				if op != "==" {
					t.Errorf("match key %s with %s in %q", key, op, line)
				}
			case assign[key]:
				if op == "==" || op == "!=" {
					t.Errorf("assignment %s with %s in %q", key, op, line)
				}
				if key == "SYMLINK" {
					hasSymlink = true
					if op != "+=" || (val != "yiting-reader" && val != "yiting-printer") {
						t.Errorf("SYMLINK%s%q in %q", op, val, line)
					}
				}
				if key == "MODE" && val != "0660" {
					t.Errorf("MODE %s in %q", val, line)
				}
			default:
				t.Errorf("unexpected key %s in %q", key, line)
			}
		}
		if !hasMatch || !hasSymlink {
			t.Errorf("rule without a match or a name: %q", line)
		}
	}
	if n == 0 {
		t.Error("no rules")
	}
}

func TestUdevRulesRefuseBadLines(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"scanner usb=1a86:7523", "reader or printer"},
		{"reader", "say how to recognise"},
		{"reader usb=1a86-7523", "four hex digits"},
		{"reader usb=1a86:75234", "four hex digits"},
		{"reader usb=1a86:7523 usb=067b:2303", "usb= given twice"},
		{"reader port=usb1", "port path"},
		{"printer usblp usb=1a86:7523", "combine it with port="},
		{"reader uart=ttyUSB0", "GPIO header UART"},
		{"reader uart=ttyAMA0 port=1-1.2", "cannot be combined"},
		{"reader serial=A1B2", "unknown match"},
	} {
		list := filepath.Join(t.TempDir(), "devices.list")
		os.WriteFile(list, []byte("# a comment\n\nprinter usblp\n"+c.line+"  # the bad one\n"), 0o644)
		out, err := udevRules(t, list)
		if err == nil {
			t.Errorf("%q accepted:\n%s", c.line, out)
			continue
		}
		if !strings.Contains(out, "devices.list:4:") || !strings.Contains(out, c.want) {
			t.Errorf("%q: message %q, want line 4 and %q", c.line, out, c.want)
		}
	}
	empty := filepath.Join(t.TempDir(), "devices.list")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	if out, err := udevRules(t, empty); err == nil || !strings.Contains(out, "names no device") {
		t.Errorf("an empty list: %v %s", err, out)
	}
}

// The boot fragment: the UART on, Bluetooth off the PL011 on the boards
// that share it, UART0 on for the Pi 5, every filter closed with [all].
func TestBootFragment(t *testing.T) {
	text := readFile(t, filepath.Join(repo(t), "firmware-config/pi/config.txt.fragment"))
	section := "all"
	got := map[string][]string{}
	var last string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			last = section
		default:
			if !regexp.MustCompile(`^[a-z_0-9]+=[A-Za-z0-9_,=-]+$`).MatchString(line) {
				t.Errorf("not a config.txt setting: %q", line)
			}
			got[section] = append(got[section], line)
			last = line
		}
	}
	want := map[string][]string{
		"all":  {"enable_uart=1"},
		"pi3":  {"dtoverlay=disable-bt"},
		"pi4":  {"dtoverlay=disable-bt"},
		"pi0w": {"dtoverlay=disable-bt"},
		"pi02": {"dtoverlay=disable-bt"},
		"pi5":  {"dtparam=uart0=on"},
	}
	for s, lines := range want {
		if strings.Join(got[s], ";") != strings.Join(lines, ";") {
			t.Errorf("[%s]: %v, want %v", s, got[s], lines)
		}
	}
	if last != "all" {
		t.Errorf("the fragment ends in [%s], not [all]: what install.sh appends after it would be filtered", last)
	}
	if !strings.HasPrefix(strings.TrimSpace(regexp.MustCompile(`(?m)^#.*\n`).ReplaceAllString(text, "")), "[all]") {
		t.Error("the fragment does not start with [all]: it would fall under the filter config.txt ends with")
	}
	for _, why := range []string{"no parity", "core clock"} {
		if !strings.Contains(text, why) {
			t.Errorf("the fragment does not explain %q", why)
		}
	}
}
