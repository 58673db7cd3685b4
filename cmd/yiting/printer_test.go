package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yiting/printer"
	"yiting/printer/printersim"
)

// simPort serves a simulated printer on a pseudo-terminal and returns the
// slave's name for -port. The test keeps the slave open so the simulator
// keeps reading while runPrinter opens and closes it by name.
func simPort(t *testing.T, opts *printersim.Opts) (*printersim.Printer, string) {
	t.Helper()
	master, slave, err := printersim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	sim := printersim.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, master) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		slave.Close()
		master.Close()
	})
	return sim, slave.Name()
}

func runCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPrinterTestTicket(t *testing.T) {
	for _, profile := range []string{"80mm", "58mm-gb2312"} {
		t.Run(profile, func(t *testing.T) {
			sim, port := simPort(t, nil)
			var out, errOut bytes.Buffer
			err := runPrinter(runCtx(t), []string{"-port", port, "-baud", "115200", "-profile", profile, "-test"}, &out, &errOut)
			if err != nil {
				t.Fatalf("runPrinter: %v\n%s%s", err, out.String(), errOut.String())
			}
			docs := sim.Documents()
			if len(docs) != 1 || !docs[0].Complete() {
				t.Fatalf("%d documents printed, want one cut ticket", len(docs))
			}
			d := docs[0]
			if q := d.QRs(); len(q) != 1 || q[0] != "http://hall.local/c/TEST0001" {
				t.Errorf("QR %q", q)
			}
			if !strings.Contains(d.Text(), "一厅 打印机测试") || len(d.Unprintable) != 0 {
				t.Errorf("ticket:\n%s\nunprintable %q", d.Text(), d.Unprintable)
			}
			if s := out.String(); !strings.Contains(s, "状态：正常") || !strings.Contains(s, "测试凭条已打印") || !strings.Contains(s, "test ticket printed") {
				t.Errorf("output:\n%s", s)
			}
		})
	}
}

func TestPrinterStatusOnly(t *testing.T) {
	sim, port := simPort(t, nil)
	sim.SetState(printersim.State{PaperNearEnd: true})
	var out, errOut bytes.Buffer
	if err := runPrinter(runCtx(t), []string{"-port", port}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(sim.Documents()) != 0 || sim.Stats().PrintBytes != 0 {
		t.Error("printed without -test")
	}
	if !strings.Contains(out.String(), "打印纸即将用完") {
		t.Errorf("no near-end warning:\n%s", out.String())
	}
}

func TestPrinterFaults(t *testing.T) {
	tests := []struct {
		state  printersim.State
		want   error
		zh, en string
	}{
		{printersim.State{PaperOut: true}, printer.ErrPaperOut, "缺纸", "out of paper"},
		{printersim.State{CoverOpen: true}, printer.ErrCoverOpen, "打印机盖", "cover is open"},
		{printersim.State{CutterError: true}, printer.ErrCutter, "切刀", "cutter"},
		{printersim.State{Silent: true}, printer.ErrTimeout, "无响应", "does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.en, func(t *testing.T) {
			sim, port := simPort(t, nil)
			sim.SetState(tt.state)
			var out, errOut bytes.Buffer
			err := runPrinter(runCtx(t), []string{"-port", port, "-test", "-timeout", "300ms"}, &out, &errOut)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if s := out.String(); !strings.Contains(s, tt.zh) || !strings.Contains(s, tt.en) {
				t.Errorf("output does not say %q / %q:\n%s", tt.zh, tt.en, s)
			}
			if s := sim.Stats(); s.PrintBytes != 0 || len(sim.Documents()) != 0 {
				t.Errorf("%d ticket bytes sent to a printer with a fault", s.PrintBytes)
			}
		})
	}
}

// TestPrinterUSBDeviceFile: a USB printer-class device is a plain file;
// here a regular file stands in for it (reads give EOF: no status).
func TestPrinterUSBDeviceFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := runPrinter(runCtx(t), []string{"-port", path, "-usb", "-test", "-timeout", "200ms"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte{0x1B, '@', 0x1C, '&'}) || !bytes.HasSuffix(b, []byte{0x1D, 'V', 65, 0}) {
		t.Errorf("device file holds %d bytes without a full ticket", len(b))
	}
	if !strings.Contains(out.String(), "无法读取") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestPrinterUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runPrinter(runCtx(t), nil, &out, &errOut); err == nil {
		t.Error("no error without -port")
	}
	if err := runPrinter(runCtx(t), []string{"-port", "/dev/null", "-profile", "76mm"}, &out, &errOut); !errors.Is(err, printer.ErrUnknownProfile) {
		t.Errorf("bad profile: %v", err)
	}
	err := runPrinter(runCtx(t), []string{"-port", "/dev/ttyNOPE9"}, &out, &errOut)
	if !errors.Is(err, printer.ErrOffline) {
		t.Errorf("missing port: %v", err)
	}
}
