package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The pages are an adapter beside the API: they import the domain, not
// the store, the API adapter, bbolt or gin (docs/style.md).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "yiting/queue/web").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin", "yiting/kiosk", "yiting/printer"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("yiting/queue/web depends on %s", dep)
			}
		}
	}
	if !strings.Contains(string(out), "yiting/queue\n") {
		t.Error("go list found no dependency on yiting/queue: the check is not looking at the package")
	}
}
