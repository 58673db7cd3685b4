package deploy

import (
	"bufio"
	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// scripts are the shell scripts of the deployment, relative to the
// repository root.
var scripts = []string{
	"deploy/build.sh",
	"deploy/install.sh",
	"deploy/upgrade.sh",
	"deploy/udev-rules.sh",
	"deploy/kiosk-session",
	"deploy/kiosk-watchdog",
}

// units are the systemd units, by the name install.sh gives them.
var units = []string{"yiting.service", "yiting-kiosk.service", "yiting-kiosk-watchdog.service"}

// repo is the repository root (tests run in deploy/).
func repo(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// need returns the path of a tool the test needs, or fails with the
// Debian package to install (CI installs them: see the report to the lead).
func need(t testing.TB, tool, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: apt-get install %s", tool, pkg)
	}
	return path
}

// runCmd runs a command and returns its combined output; it fails the
// test if the command fails.
func runCmd(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	out, err := tryCmd(env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func tryCmd(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestScriptsPassShellcheck(t *testing.T) {
	sc := need(t, "shellcheck", "shellcheck")
	root := repo(t)
	var paths []string
	for _, s := range scripts {
		p := filepath.Join(root, s)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s is not executable (chmod +x; git keeps the bit, and build.sh copies it)", s)
		}
		paths = append(paths, p)
	}
	// All checks, style included, with bash as the shell.
	out, err := tryCmd(nil, sc, append([]string{"--shell=bash", "--severity=style"}, paths...)...)
	if err != nil {
		t.Fatalf("shellcheck:\n%s", out)
	}
}

// shellcheck must see what it is meant to see: a script with a classic
// mistake fails.
func TestShellcheckCatchesMistakes(t *testing.T) {
	sc := need(t, "shellcheck", "shellcheck")
	bad := filepath.Join(t.TempDir(), "bad.sh")
	os.WriteFile(bad, []byte("#!/bin/bash\nf=$1\nrm -rf $f/*\n"), 0o755)
	if out, err := tryCmd(nil, sc, bad); err == nil {
		t.Fatalf("shellcheck passed an unquoted rm -rf:\n%s", out)
	}
}

// unitFile is a systemd unit parsed into its sections' key/values, in order.
type unitFile map[string][][2]string

func parseUnit(t testing.TB, path string) unitFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: cannot parse %q", path, line)
			}
			u[section] = append(u[section], [2]string{k, v})
		}
	}
	return u
}

// values returns every value of a key in a section.
func (u unitFile) values(section, key string) []string {
	var vs []string
	for _, kv := range u[section] {
		if kv[0] == key {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

func (u unitFile) value(section, key string) string {
	vs := u.values(section, key)
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// The server's unit says what issue 8 asks, and keeps the devices
// reachable: a PrivateDevices=yes or a missing DeviceAllow= would leave
// the kiosk without its reader or printer.
func TestServerUnit(t *testing.T) {
	u := parseUnit(t, filepath.Join(repo(t), "deploy", "yiting.service"))
	want := map[string]string{
		"User":                   "yiting",
		"Restart":                "always",
		"StateDirectory":         "yiting",
		"ConfigurationDirectory": "yiting",
		"ExecStart":              "/usr/local/bin/yiting -config /etc/yiting/hall.toml -data /var/lib/yiting -addr 0.0.0.0:8080",
		"ProtectSystem":          "strict",
		"NoNewPrivileges":        "yes",
		"DevicePolicy":           "closed",
		"EnvironmentFile":        "-/etc/yiting/env",
	}
	for k, v := range want {
		if got := u.value("Service", k); got != v {
			t.Errorf("[Service] %s=%q, want %q", k, got, v)
		}
	}
	groups := strings.Fields(u.value("Service", "SupplementaryGroups"))
	for _, g := range []string{"dialout", "gpio", "lp"} {
		if !slices.Contains(groups, g) {
			t.Errorf("SupplementaryGroups lacks %s", g)
		}
	}
	allowed := map[string]bool{}
	for _, v := range u.values("Service", "DeviceAllow") {
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "rw" {
			t.Errorf("DeviceAllow=%s: want DEVICE rw", v)
			continue
		}
		allowed[f[0]] = true
	}
	for _, d := range []string{"char-ttyUSB", "char-ttyACM", "char-ttyAMA", "char-gpiochip", "/dev/gpiomem", "char-usb"} {
		if !allowed[d] {
			t.Errorf("DeviceAllow lacks %s", d)
		}
	}
	if v := u.value("Service", "PrivateDevices"); v != "" && v != "no" {
		t.Errorf("PrivateDevices=%s hides the serial ports and GPIO", v)
	}
	if !slices.Contains(strings.Fields(strings.Join(u.values("Unit", "After"), " ")), "time-sync.target") {
		t.Error("the unit is not ordered after time-sync.target")
	}
}

// installRoot makes a directory that looks enough like a Raspberry Pi OS
// root for install.sh: the account files, a boot partition with the stock
// config.txt and cmdline.txt.
func installRoot(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"etc/passwd":  "root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n",
		"etc/group":   "root:x:0:\ndialout:x:20:pi\nlp:x:7:\naudio:x:29:pi\nvideo:x:44:pi\nrender:x:105:pi\ninput:x:106:pi\npi:x:1000:\n",
		"etc/shadow":  "root:*:20000:0:99999:7:::\npi:*:20000:0:99999:7:::\n",
		"etc/gshadow": "root:*::\ndialout:*::pi\nlp:*::\naudio:*::pi\nvideo:*::pi\nrender:*::pi\ninput:*::pi\npi:!::\n",
		"boot/firmware/config.txt": "# For more options and information see\n# http://rptl.io/configtxt\n\ndtparam=audio=on\ncamera_auto_detect=1\n" +
			"display_auto_detect=1\nauto_initramfs=1\ndtoverlay=vc4-kms-v3d\nmax_framebuffers=2\ndisable_fw_kms_setup=1\narm_64bit=1\n" +
			"disable_overscan=1\narm_boost=1\n\n[cm4]\notg_mode=1\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n",
		"boot/firmware/cmdline.txt": "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash plymouth.ignore-serial-consoles\n",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(root, "etc/shadow"), 0o640)
	os.Chmod(filepath.Join(root, "etc/gshadow"), 0o640)
	return root
}

// stubs puts executables named like the packages the units run (curl,
// cage, chromium) into root, so systemd-analyze finds their ExecStart
// paths.
func stubs(t testing.TB, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, "usr/bin", n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// withSystemUnits copies the host's systemd units into root, so that
// systemd-analyze --root finds sysinit.target, time-sync.target and the
// rest the units refer to.
func withSystemUnits(t testing.TB, root string) {
	t.Helper()
	src := "/usr/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(src, "sysinit.target")); err != nil {
		t.Fatalf("no systemd units in %s: apt-get install systemd", src)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(root, p)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, dst)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The units, as installed, pass systemd-analyze verify: it parses every
// setting, resolves the units they refer to, and checks that each Exec
// path exists and is executable in the root (the installed binary and
// scripts; stubs stand in for curl, cage and chromium, which are Debian
// packages on the Pi). A broken copy fails, so the check can fail.
func TestUnitsVerify(t *testing.T) {
	analyze := need(t, "systemd-analyze", "systemd")
	need(t, "systemctl", "systemd")
	root := installRoot(t)
	stubs(t, root, "curl", "cage", "chromium")
	install(t, root, "--kiosk")
	withSystemUnits(t, root)

	out, err := tryCmd(nil, analyze, append([]string{"verify", "--man=no", "--root=" + root}, units...)...)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out = runCmd(t, nil, analyze, "security", "--offline=yes", "--root="+root, "yiting.service")
	if i := strings.Index(out, "Overall exposure level"); i >= 0 {
		t.Logf("systemd-analyze security: %s", strings.TrimSpace(out[i:]))
	}

	// The same check on a unit with a misspelt setting, and on one whose
	// binary is missing, must complain.
	unit := filepath.Join(root, "etc/systemd/system/yiting.service")
	good, _ := os.ReadFile(unit)
	os.WriteFile(unit, bytes.Replace(good, []byte("Restart=always"), []byte("Restart=always\nRestrat=always"), 1), 0o644)
	if out, _ := tryCmd(nil, analyze, "verify", "--man=no", "--root="+root, "yiting.service"); !strings.Contains(out, "Restrat") {
		t.Fatalf("verify did not notice a misspelt key:\n%s", out)
	}
	os.WriteFile(unit, good, 0o644)
	os.Remove(filepath.Join(root, "usr/local/bin/yiting"))
	if out, err := tryCmd(nil, analyze, "verify", "--man=no", "--root="+root, "yiting.service"); err == nil {
		t.Fatalf("verify passed a unit whose binary is missing:\n%s", out)
	}
}
