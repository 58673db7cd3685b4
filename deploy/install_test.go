package deploy

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// install runs install.sh into root with a stand-in binary and returns
// its output.
func install(t testing.TB, root string, args ...string) string {
	t.Helper()
	out, err := tryInstall(t, root, args...)
	if err != nil {
		t.Fatalf("install.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func tryInstall(t testing.TB, root string, args ...string) (string, error) {
	t.Helper()
	bin := root + ".yiting" // beside the root, not in it
	if _, err := os.Stat(bin); err != nil {
		if err := os.WriteFile(bin, []byte("#!/bin/sh\necho yiting test-build\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	all := append([]string{filepath.Join(repo(t), "deploy/install.sh"), "--root", root, "--binary", bin}, args...)
	return tryCmd(nil, "bash", all...)
}

// manifest describes every file under root: type, mode, owner, content
// hash, link target and modification time. Two equal manifests mean
// nothing was written.
func manifest(t testing.TB, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d:%d mtime=%d", fi.Mode(), st.Uid, st.Gid, fi.ModTime().UnixNano())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(b))
		}
		rel, _ := filepath.Rel(root, p)
		m[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func diffManifests(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, "removed "+k)
		} else if v != w {
			d = append(d, fmt.Sprintf("changed %s: %s → %s", k, v, w))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "added "+k)
		}
	}
	slices.Sort(d)
	return d
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func modeOf(t testing.TB, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

var passwordRE = regexp.MustCompile(`(?m)^YITING_ADMIN_PASSWORD=([a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3})$`)

// Installed twice into a fresh root: the first run sets up everything,
// the second writes nothing at all (same files, modes, owners, contents
// and modification times).
func TestInstallTwiceChangesNothing(t *testing.T) {
	need(t, "systemctl", "systemd")
	root := installRoot(t)
	first := install(t, root, "--kiosk")
	m1 := manifest(t, root)
	second := install(t, root, "--kiosk")
	m2 := manifest(t, root)
	if d := diffManifests(m1, m2); len(d) > 0 {
		t.Fatalf("the second run changed:\n%s\n--- second run said:\n%s", strings.Join(d, "\n"), second)
	}
	if !strings.Contains(second, "nothing changed") {
		t.Errorf("second run:\n%s", second)
	}
	t.Logf("first run:\n%s", first)

	r := repo(t)
	// The binary, the unit, the tools.
	if got := readFile(t, filepath.Join(root, "usr/local/bin/yiting")); !strings.Contains(got, "test-build") {
		t.Error("the binary was not installed")
	}
	for p, mode := range map[string]fs.FileMode{
		"usr/local/bin/yiting":                                 0o755,
		"usr/local/sbin/yiting-upgrade":                        0o755,
		"usr/local/lib/yiting/kiosk-session":                   0o755,
		"usr/local/lib/yiting/kiosk-watchdog":                  0o755,
		"etc/systemd/system/yiting.service":                    0o644,
		"etc/systemd/system/yiting-kiosk.service":              0o644,
		"etc/udev/rules.d/99-yiting.rules":                     0o644,
		"etc/yiting/hall.toml":                                 0o644,
		"etc/yiting/env":                                       0o600,
		"etc/yiting/kiosk.env":                                 0o600,
		"etc/chrony/conf.d/yiting.conf":                        0o644,
		"etc/systemd/system/chrony-wait.service.d/yiting.conf": 0o644,
		"var/lib/yiting":                                       0o700,
	} {
		if got := modeOf(t, filepath.Join(root, p)); got != mode {
			t.Errorf("%s: mode %v, want %v", p, got, mode)
		}
	}
	// The hall configuration is the documented default, to be edited.
	if readFile(t, filepath.Join(root, "etc/yiting/hall.toml")) != readFile(t, filepath.Join(r, "firmware-config/default.toml")) {
		t.Error("hall.toml is not firmware-config/default.toml")
	}
	// A generated admin password in the alphabet yiting itself uses.
	if !passwordRE.MatchString(readFile(t, filepath.Join(root, "etc/yiting/env"))) {
		t.Errorf("env has no generated password:\n%s", readFile(t, filepath.Join(root, "etc/yiting/env")))
	}
	// The udev rules come from the device list and equal the shipped file.
	if readFile(t, filepath.Join(root, "etc/udev/rules.d/99-yiting.rules")) != readFile(t, filepath.Join(r, "firmware-config/pi/99-yiting.rules")) {
		t.Error("the installed udev rules differ from firmware-config/pi/99-yiting.rules")
	}
	// Boot: the block once, the rest of config.txt kept; no serial console.
	cfg := readFile(t, filepath.Join(root, "boot/firmware/config.txt"))
	begins := regexp.MustCompile(`(?m)^# >>> yiting`).FindAllString(cfg, -1)
	ends := regexp.MustCompile(`(?m)^# <<< yiting`).FindAllString(cfg, -1)
	if len(begins) != 1 || len(ends) != 1 ||
		!strings.Contains(cfg, readFile(t, filepath.Join(r, "firmware-config/pi/config.txt.fragment"))) {
		t.Errorf("config.txt:\n%s", cfg)
	}
	if !strings.HasPrefix(cfg, "# For more options") || !strings.Contains(cfg, "[cm5]\ndtoverlay=dwc2,dr_mode=host\n") {
		t.Errorf("config.txt lost its own lines:\n%s", cfg)
	}
	cmdline := readFile(t, filepath.Join(root, "boot/firmware/cmdline.txt"))
	if want := "console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash plymouth.ignore-serial-consoles consoleblank=0\n"; cmdline != want {
		t.Errorf("cmdline.txt = %q, want %q", cmdline, want)
	}
	if _, err := os.Stat(filepath.Join(root, "boot/firmware/cmdline.txt.before-yiting")); err != nil {
		t.Error("the original cmdline.txt was not kept")
	}
	// Enabled units.
	for _, u := range units {
		link := filepath.Join(root, "etc/systemd/system/multi-user.target.wants", u)
		if target, err := os.Readlink(link); err != nil || target != "/etc/systemd/system/"+u {
			t.Errorf("%s not enabled: %v %q", u, err, target)
		}
	}
	// Users and groups, when the test can make them.
	if os.Geteuid() == 0 {
		passwd := readFile(t, filepath.Join(root, "etc/passwd"))
		if !regexp.MustCompile(`(?m)^yiting:x:\d+:\d+:[^:]*:/var/lib/yiting:/usr/sbin/nologin$`).MatchString(passwd) ||
			!regexp.MustCompile(`(?m)^kiosk:x:\d+:\d+:[^:]*:/home/kiosk:/usr/sbin/nologin$`).MatchString(passwd) {
			t.Errorf("passwd:\n%s", passwd)
		}
		group := readFile(t, filepath.Join(root, "etc/group"))
		for _, g := range []string{"dialout", "gpio", "lp"} {
			if !regexp.MustCompile(`(?m)^` + g + `:x:\d+:.*\byiting\b`).MatchString(group) {
				t.Errorf("yiting is not in %s:\n%s", g, group)
			}
		}
		if !regexp.MustCompile(`(?m)^video:x:44:pi,kiosk$`).MatchString(group) {
			t.Errorf("kiosk is not in video (next to pi):\n%s", group)
		}
		st := mustStat(t, filepath.Join(root, "var/lib/yiting"))
		if uid := uidOf(t, passwd, "yiting"); st.Uid != uid {
			t.Errorf("/var/lib/yiting owned by %d, want yiting (%d)", st.Uid, uid)
		}
	} else {
		t.Log("not root: users, groups and owners not checked")
	}
}

func mustStat(t testing.TB, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

func uidOf(t testing.TB, passwd, user string) uint32 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + user + `:x:(\d+):`).FindStringSubmatch(passwd)
	if m == nil {
		t.Fatalf("no %s in passwd", user)
	}
	var uid uint32
	fmt.Sscan(m[1], &uid)
	return uid
}

// The installer's edits survive a second run; an edited device list is
// applied; a broken one is refused without touching the rules in place.
func TestInstallKeepsEditsAndAppliesTheDeviceList(t *testing.T) {
	root := installRoot(t)
	install(t, root)
	hall := filepath.Join(root, "etc/yiting/hall.toml")
	env := filepath.Join(root, "etc/yiting/env")
	list := filepath.Join(root, "etc/yiting/devices.list")
	rules := filepath.Join(root, "etc/udev/rules.d/99-yiting.rules")
	edited := readFile(t, hall) + "\n# edited by the installer\n"
	os.WriteFile(hall, []byte(edited), 0o644)
	envBefore := readFile(t, env)
	os.WriteFile(list, []byte("reader  usb=1a86:7523 port=1-1.2\nprinter usb=1a86:7523 port=1-1.3  # CH340 printer\n"), 0o644)

	out := install(t, root)
	if readFile(t, hall) != edited || readFile(t, env) != envBefore {
		t.Fatal("install.sh overwrote the installer's files")
	}
	got := readFile(t, rules)
	for _, want := range []string{
		`SUBSYSTEM=="tty", KERNELS=="1-1.2", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="yiting-reader"`,
		`SUBSYSTEM=="tty", KERNELS=="1-1.3", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="yiting-printer"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rules lack %s:\n%s", want, got)
		}
	}
	if !strings.Contains(out, "installed /etc/udev/rules.d/99-yiting.rules") {
		t.Errorf("output does not say the rules changed:\n%s", out)
	}

	os.WriteFile(list, []byte("reader usb=1a86:7523\nprinter usb=CH340\n"), 0o644)
	out, err := tryInstall(t, root)
	if err == nil {
		t.Fatalf("install.sh accepted a broken device list:\n%s", out)
	}
	if !strings.Contains(out, "devices.list:2:") {
		t.Errorf("the message does not point at line 2:\n%s", out)
	}
	if readFile(t, rules) != got {
		t.Error("the rules in place changed after a refused list")
	}
}

// A Pi that only shows a page: no server, no binary needed, and the
// serial console stays where it was.
func TestInstallScreenOnly(t *testing.T) {
	root := installRoot(t)
	cmdline := readFile(t, filepath.Join(root, "boot/firmware/cmdline.txt"))
	out, err := tryCmd(nil, "bash", filepath.Join(repo(t), "deploy/install.sh"), "--root", root, "--no-server", "--kiosk")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, p := range []string{"usr/local/bin/yiting", "etc/systemd/system/yiting.service", "etc/yiting/hall.toml", "etc/udev/rules.d/99-yiting.rules"} {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s installed on a screen-only Pi", p)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/systemd/system/yiting-kiosk.service")); err != nil {
		t.Error("no kiosk session")
	}
	got := readFile(t, filepath.Join(root, "boot/firmware/cmdline.txt"))
	if !strings.HasPrefix(got, "console=serial0,115200 ") || !strings.HasSuffix(got, " consoleblank=0\n") || strings.TrimSuffix(got, " consoleblank=0\n")+"\n" != cmdline {
		t.Errorf("cmdline.txt = %q (from %q)", got, cmdline)
	}
	if strings.Contains(readFile(t, filepath.Join(root, "boot/firmware/config.txt")), "yiting") {
		t.Error("the UART block was added without a server")
	}
}

func TestInstallRefusals(t *testing.T) {
	root := installRoot(t)
	installer := filepath.Join(repo(t), "deploy/install.sh")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--root", root, "--binary", filepath.Join(root, "nope")}, "no yiting binary"},
		{[]string{"--root", filepath.Join(root, "missing")}, "no such directory"},
		{[]string{"--root", root, "--no-server"}, "installs nothing"},
		{[]string{"--root", root, "--bogus"}, "unknown option"},
	} {
		out, err := tryCmd(nil, "bash", append([]string{installer}, c.args...)...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("install.sh %v: %v, %q; want a refusal saying %q", c.args, err, out, c.want)
		}
	}
}
