package cases_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies: the case book is domain: the standard library,
// yiting/queue and yiting/queue/personal only (docs/style.md).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "yiting/queue/cases").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	allowed := map[string]bool{"yiting/queue": true, "yiting/queue/personal": true, "yiting/queue/cases": true}
	for _, p := range deps {
		if !allowed[p] {
			t.Errorf("yiting/queue/cases depends on %s", p)
		}
	}
	if len(deps) != 3 {
		t.Errorf("deps %v: the check is not looking at what it should", deps)
	}
}
