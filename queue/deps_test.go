package queue_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRules keeps the shape of docs/style.md: the domain in the
// middle imports the standard library only; adapters import the domain
// and not each other; only cmd/ touches serial ports and GPIO hosts.
func TestDependencyRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{if .Standard}}std{{end}}`, "yiting/queue").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, kind, _ := strings.Cut(line, " ")
		if kind != "std" && path != "yiting/queue" {
			t.Errorf("yiting/queue imports %s: the domain may use the standard library only", path)
		}
	}
	forbidden := map[string][]string{
		"yiting/queue/httpapi/...":           {"yiting/queue/boltstore", "go.etcd.io/bbolt", "yiting/kiosk", "yiting/printer"},
		"yiting/queue/boltstore/...":         {"yiting/queue/httpapi", "github.com/gin-gonic/gin"},
		"yiting/queue/access/...":            {"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin"},
		"yiting/kiosk/...":                   {"yiting/queue/httpapi", "yiting/queue/boltstore", "go.etcd.io/bbolt", "github.com/gin-gonic/gin", "github.com/tarm/serial", "periph.io/x/host/v3"},
		"yiting/printer/...":                 {"yiting/queue/httpapi", "yiting/queue/boltstore", "yiting/kiosk", "github.com/gin-gonic/gin", "github.com/tarm/serial"},
		"yiting/queue/cases/...":             {"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin", "yiting/kiosk", "yiting/printer"},
		"yiting/queue/booking/...":           {"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin", "yiting/kiosk", "yiting/printer"},
		"yiting/queue/personal/...":          {"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin", "yiting/kiosk", "yiting/printer"},
		"yiting/queue/web/...":               {"yiting/queue/boltstore", "yiting/queue/httpapi", "go.etcd.io/bbolt", "github.com/gin-gonic/gin"},
		"yiting/queue/county/countyview/...": {"yiting/queue/boltstore", "yiting/queue/httpapi", "yiting/queue/web", "github.com/gin-gonic/gin", "yiting/kiosk", "yiting/printer"},
		"yiting/queue/county/countyweb/...":  {"yiting/queue/boltstore", "yiting/queue/httpapi", "yiting/queue/web", "yiting/kiosk", "yiting/printer"},
		"yiting/firmware-config/...":         {"yiting/queue/httpapi", "yiting/queue/boltstore", "go.etcd.io/bbolt", "github.com/gin-gonic/gin"},
	}
	for pkgs, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkgs).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "matched no packages") {
				continue
			}
			t.Fatalf("go list %s: %v\n%s", pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s depends on %s", pkgs, dep)
				}
			}
		}
	}
}
