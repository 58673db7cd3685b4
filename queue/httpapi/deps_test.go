package httpapi_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the adapters apart: the HTTP API reaches storage
// through the engine only, never bbolt or the bbolt store.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "yiting/queue/httpapi").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		if strings.HasPrefix(p, "go.etcd.io/bbolt") || p == "yiting/queue/boltstore" {
			t.Errorf("yiting/queue/httpapi depends on %s", p)
		}
	}
	if len(deps) < 3 {
		t.Fatalf("go list found only %v: the check is not looking", deps)
	}
}
