package kiosk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The kiosk reaches the desk through kiosk.Desk: no package under kiosk/
// imports the HTTP adapter, the store or gin, and none but cmd/ touches the
// host's GPIO (periph.io/x/host).
func TestKioskDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "yiting/kiosk/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"yiting/queue/httpapi", "yiting/queue/boltstore", "github.com/gin-gonic/gin", "go.etcd.io/bbolt", "periph.io/x/host"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("a kiosk package depends on %s", dep)
			}
		}
	}
}
