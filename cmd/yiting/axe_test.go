package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// axe-core (Deque, MPL-2.0) checks the pages' accessibility in the browser
// tests. It is not vendored: axe.min.js is 560 KB, more than all the
// pages' own scripts together, and it is a test tool, not part of what
// runs in the hall. `make testdeps` installs the pinned version with npm
// into the user's cache; a test that finds it missing installs it there
// itself, and fails (never skips) without npm. The file's SHA-256 is
// pinned too: npm checks the registry's integrity hash, this checks that
// the cache holds what we reviewed.
const (
	axeVersion = "4.11.0"
	axeSHA256  = "e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01"
)

var axeOnce struct {
	sync.Once
	src string
	err string
}

// axeSource returns axe.min.js, installing it with npm into
// $XDG_CACHE_HOME/yiting/axe-core-<version> (YITING_AXE_DIR overrides)
// when missing.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		dir := os.Getenv("YITING_AXE_DIR")
		if dir == "" {
			cache, err := os.UserCacheDir()
			if err != nil {
				axeOnce.err = "no cache directory for axe-core: " + err.Error()
				return
			}
			dir = filepath.Join(cache, "yiting", "axe-core-"+axeVersion)
		}
		file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(file); err != nil {
			npm, err := exec.LookPath("npm")
			if err != nil {
				axeOnce.err = "the accessibility tests need axe-core from npm: apt-get install npm, then make testdeps"
				return
			}
			out, err := exec.Command(npm, "install", "--prefix", dir, "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
				"axe-core@"+axeVersion).CombinedOutput()
			if err != nil {
				axeOnce.err = "npm install axe-core@" + axeVersion + ": " + err.Error() + ": " + string(out)
				return
			}
		}
		b, err := os.ReadFile(file)
		if err != nil {
			axeOnce.err = err.Error()
			return
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != axeSHA256 {
			axeOnce.err = file + " is not axe-core " + axeVersion + " as reviewed (SHA-256 differs): delete it and run make testdeps"
			return
		}
		axeOnce.src = string(b)
	})
	if axeOnce.err != "" {
		t.Fatal(axeOnce.err)
	}
	return axeOnce.src
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeCheck runs axe-core on the tab's page as it is now and fails the
// test on every serious or critical violation (WCAG 2.1 A and AA and
// axe's best practices), naming the rule and the elements.
func axeCheck(t testing.TB, tb *tab, page string) {
	t.Helper()
	src := axeSource(t)
	if !eval[bool](tb, `typeof window.axe === 'object'`) {
		eval[any](tb, src+";0")
	}
	raw := wait[string](tb, `(() => {
		if (!window.__axe) {
			window.__axe = { done: false };
			axe.run(document, { resultTypes: ['violations'] })
				.then((r) => { window.__axe = { done: true, out: JSON.stringify(r.violations) }; })
				.catch((e) => { window.__axe = { done: true, out: JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]) }; });
		}
		if (!window.__axe.done) return '';
		const out = window.__axe.out;
		delete window.__axe;
		return out;
	})()`, time.Minute)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe answered %q: %v", page, raw, err)
	}
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, "…")
				break
			}
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b)+" "+strings.ReplaceAll(n.Summary, "\n", " "))
		}
		t.Errorf("%s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// The Makefile's testdeps installs the axe-core these tests check for.
func TestMakefileInstallsAxe(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nAXE_VERSION = "+axeVersion+"\n") {
		t.Errorf("the Makefile's AXE_VERSION is not %s", axeVersion)
	}
}
