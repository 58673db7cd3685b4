package deploy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The build script cross-compiles all three targets: each binary is an
// ELF for the right machine, built with CGO_ENABLED=0 and the GOARM the
// target needs, stamped with the version; each bundle carries the binary
// and every file install.sh uses; SHA256SUMS matches. Slow (three builds
// of the whole program): skipped with -short.
func TestBuildScript(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles yiting three times: skipped with -short")
	}
	r := repo(t)
	// A version string found nowhere else, to find it stamped in the
	// binaries (-trimpath keeps -ldflags out of their build information).
	version := fmt.Sprintf("v0.0.0-buildtest.%d", os.Getpid())
	out := t.TempDir()
	log := runCmd(t, []string{"VERSION=" + version}, "bash", filepath.Join(r, "deploy/build.sh"), "-o", out)
	t.Logf("build.sh:\n%s", log)

	for _, c := range []struct {
		target  string
		machine elf.Machine
		class   elf.Class
		goarch  string
		goarm   string
	}{
		{"arm64", elf.EM_AARCH64, elf.ELFCLASS64, "arm64", ""},
		{"armv7", elf.EM_ARM, elf.ELFCLASS32, "arm", "7"},
		{"armv6", elf.EM_ARM, elf.ELFCLASS32, "arm", "6"},
	} {
		bin := filepath.Join(out, "yiting-linux-"+c.target)
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if f.Machine != c.machine || f.Class != c.class || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
			t.Errorf("%s: ELF %v %v %v, want %v %v", c.target, f.Machine, f.Class, f.OSABI, c.machine, c.class)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an interpreter): CGO was on", c.target)
			}
		}
		f.Close()
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if settings["GOOS"] != "linux" || settings["GOARCH"] != c.goarch || settings["CGO_ENABLED"] != "0" || settings["GOARM"] != c.goarm {
			t.Errorf("%s: built with GOOS=%s GOARCH=%s GOARM=%q CGO_ENABLED=%s", c.target,
				settings["GOOS"], settings["GOARCH"], settings["GOARM"], settings["CGO_ENABLED"])
		}
		if settings["-trimpath"] != "true" {
			t.Errorf("%s: not built with -trimpath (the binary would carry the build machine's paths)", c.target)
		}
		if b, err := os.ReadFile(bin); err != nil || !bytes.Contains(b, []byte(version)) {
			t.Errorf("%s: the version %s is not stamped in the binary", c.target, version)
		}
		if info.Path != "yiting/cmd/yiting" {
			t.Errorf("%s: main package %s", c.target, info.Path)
		}

		bundle := filepath.Join(out, fmt.Sprintf("yiting-%s-linux-%s.tar.gz", version, c.target))
		files := tarFiles(t, bundle)
		prefix := fmt.Sprintf("yiting-%s-linux-%s/", version, c.target)
		if h, ok := files[prefix+"yiting"]; !ok || h.Mode&0o111 == 0 {
			t.Errorf("%s: the bundle has no executable yiting", c.target)
		}
		for _, need := range installInputs(t) {
			if _, ok := files[prefix+need]; !ok {
				t.Errorf("%s: the bundle lacks %s, which install.sh uses", c.target, need)
			}
		}
		if h := files[prefix+"deploy/install.sh"]; h == nil || h.Mode&0o111 == 0 {
			t.Errorf("%s: install.sh is not executable in the bundle", c.target)
		}
	}

	sums := readFile(t, filepath.Join(out, "SHA256SUMS"))
	lines := strings.Split(strings.TrimSpace(sums), "\n")
	if len(lines) != 6 {
		t.Fatalf("SHA256SUMS has %d lines, want 6:\n%s", len(lines), sums)
	}
	for _, l := range lines {
		sum, name, _ := strings.Cut(l, "  ")
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%x", sha256.Sum256(b)) != sum {
			t.Errorf("SHA256SUMS: %s does not match", name)
		}
	}
}

func tarFiles(t testing.TB, path string) map[string]*tar.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
	}
}

// installInputs lists the repository files install.sh reads ("$here/…"
// is deploy/, "$src/…" the repository root).
func installInputs(t testing.TB) []string {
	t.Helper()
	script := readFile(t, filepath.Join(repo(t), "deploy/install.sh"))
	var files []string
	for _, m := range regexp.MustCompile(`"\$(here|src)/([A-Za-z0-9._/-]+)"`).FindAllStringSubmatch(script, -1) {
		f := m[2]
		if f == ".." {
			continue // src=$(cd "$here/.." …)
		}
		if m[1] == "here" {
			f = "deploy/" + f
		}
		if f != "yiting" && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	if len(files) < 10 {
		t.Fatalf("found only %v in install.sh: has its style changed?", files)
	}
	return files
}

// Every file install.sh uses is in build.sh's bundle list and exists, so
// an install from a release tarball does not miss one.
func TestBundleHasWhatInstallNeeds(t *testing.T) {
	r := repo(t)
	build := readFile(t, filepath.Join(r, "deploy/build.sh"))
	start := strings.Index(build, "bundle_files=(")
	end := strings.Index(build[start:], "\n)")
	if start < 0 || end < 0 {
		t.Fatal("no bundle_files=( … ) in build.sh")
	}
	listed := strings.Fields(build[start+len("bundle_files=(") : start+end])
	for _, f := range installInputs(t) {
		if !slices.Contains(listed, f) {
			t.Errorf("install.sh uses %s, which build.sh does not pack", f)
		}
	}
	for _, f := range listed {
		if _, err := os.Stat(filepath.Join(r, f)); err != nil {
			t.Errorf("build.sh packs %s: %v", f, err)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	script := filepath.Join(repo(t), "deploy/build.sh")
	if v := strings.TrimSpace(runCmd(t, []string{"VERSION=v1.2.3"}, "bash", script, "--print-version")); v != "v1.2.3" {
		t.Errorf("VERSION=v1.2.3 gives %q", v)
	}
	// Outside a git checkout: "dev".
	if v := strings.TrimSpace(runCmd(t, []string{"GIT_DIR=" + t.TempDir()}, "bash", script, "--print-version")); v != "dev" {
		t.Errorf("without git: %q, want dev", v)
	}
	if out, err := tryCmd(nil, "bash", script, "mips"); err == nil || !strings.Contains(out, "unknown argument") {
		t.Errorf("an unknown target: %v %s", err, out)
	}
}
