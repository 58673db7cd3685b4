package access_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the package free of storage and HTTP: it may use
// the standard library, golang.org/x/crypto and yiting/queue only.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "yiting/queue/access").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "yiting/queue" && p != "yiting/queue/access" && !strings.HasPrefix(p, "golang.org/x/crypto/") {
			t.Errorf("yiting/queue/access depends on %s", p)
		}
	}
}
