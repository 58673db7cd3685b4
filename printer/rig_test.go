package printer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"yiting/printer"
	"yiting/printer/printersim"
	"yiting/printer/typeface"
)

// rig is a driver talking to a simulated printer over a pseudo-terminal.
type rig struct {
	drv *printer.Driver
	sim *printersim.Printer
}

func newRig(t testing.TB, profile string, simOpts *printersim.Opts, drvOpts *printer.Opts) *rig {
	t.Helper()
	p, err := printer.ProfileByName(profile)
	if err != nil {
		t.Fatal(err)
	}
	master, slave, err := printersim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	if simOpts == nil {
		simOpts = &printersim.Opts{}
	}
	if simOpts.Dots == 0 {
		simOpts.Dots = p.Dots
	}
	sim := printersim.New(simOpts)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sim.Serve(ctx, master) }()
	if drvOpts == nil {
		drvOpts = &printer.Opts{}
	}
	drvOpts.Profile = p
	if drvOpts.ReplyTimeout == 0 {
		drvOpts.ReplyTimeout = 2 * time.Second
	}
	drv := printer.New(printer.Port(slave), drvOpts)
	t.Cleanup(func() {
		drv.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		master.Close()
	})
	return &rig{drv: drv, sim: sim}
}

// next waits for the simulated printer's next document.
func (r *rig) next(t testing.TB) printersim.Document {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := r.sim.Next(ctx)
	if err != nil {
		t.Fatalf("no document printed: %v", err)
	}
	return d
}

func sampleTicket() printer.Ticket {
	return printer.Ticket{
		Hall:     "示例县社会治理综合服务中心",
		Number:   "A012",
		Service:  "矛盾纠纷调解",
		Counter:  "3号窗口",
		Location: "一楼东侧",
		Ahead:    3,
		Issued:   time.Date(2026, 11, 20, 9, 31, 0, 0, time.FixedZone("CST", 8*3600)),
		Visitor:  "张*三",
		Note:     "首访负责：请到3号窗口",
		CaseCode: "AbC123XyZ7890",
		CaseURL:  "http://hall.local/c/AbC123XyZ7890",
		Footer:   "请留意叫号，过号请重新取号",
	}
}

// mustFont loads the system CJK font or fails saying what to install.
func mustFont(t testing.TB) *typeface.Face {
	t.Helper()
	f, err := typeface.Find()
	if err != nil {
		t.Fatalf("%v\nthis test needs a CJK font: apt-get install fonts-droid-fallback (or fonts-noto-cjk)", err)
	}
	return f
}

// savePNG writes a rendering to $YITING_PNG_DIR (for a person to look at)
// and to the test's temp dir, and returns the path.
func savePNG(t testing.TB, sim *printersim.Printer, d printersim.Document, name string) string {
	t.Helper()
	b, err := sim.PNG(d)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if env := os.Getenv("YITING_PNG_DIR"); env != "" {
		dir = env
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
