package main

import (
	"context"
	"log/slog"

	hallconfig "yiting/firmware-config"
	"yiting/printer"
	"yiting/printer/printersim"
	"yiting/printer/spool"
	"yiting/printer/typeface"
)

// ticketPrinterConfig names a ticket printer: the kiosk's, or the service
// desk's (devices.desk_printer).
type ticketPrinterConfig struct {
	path     string // "sim" or a device path
	baud     int    // 0: hallconfig.DefaultBaud
	profile  string // printer.ProfileByName
	spoolDir string // where tickets wait for paper
	what     string // "kiosk", "desk": for the log
}

// ticketPrinter is an open ticket printer: the driver, the spool that
// prints (and reprints after paper out) through it, and the simulated
// printer when the path is "sim".
type ticketPrinter struct {
	driver  *printer.Driver
	spool   *spool.Spool
	sim     *printersim.Printer // nil for a real printer
	closers []func()
}

func (t *ticketPrinter) close() {
	for i := len(t.closers) - 1; i >= 0; i-- {
		t.closers[i]()
	}
	t.closers = nil
}

// openTicketPrinter opens the printer: a serial or USB device, or the
// simulated printer on a pseudo-terminal. The caller runs its spool
// (spool.Run) and closes it.
func openTicketPrinter(ctx context.Context, c ticketPrinterConfig, log *slog.Logger, tune deviceTuning) (t *ticketPrinter, err error) {
	t = &ticketPrinter{}
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	profile, err := printer.ProfileByName(c.profile)
	if err != nil {
		return nil, err
	}
	face, ferr := typeface.Find()
	switch {
	case ferr != nil && c.path == "sim":
		// A fresh machine: the demo still works, the ticket's picture
		// shows boxes; the kiosk page shows its text beside it.
		log.Warn(c.what+": the simulated printer found no CJK font: the picture of a ticket shows □ for Chinese (the kiosk page shows its text beside it). "+
			"Install one: sudo apt-get install fonts-noto-cjk (or fonts-droid-fallback)", "err", ferr)
	case ferr != nil:
		log.Info(c.what+": no CJK font found; characters the printer lacks print as □ (install fonts-noto-cjk)", "err", ferr)
	}
	path, baud := c.path, c.baud
	if baud <= 0 {
		baud = hallconfig.DefaultBaud
	}
	usb := false
	if path == "sim" {
		po := tune.printerSim
		po.Dots, po.Font = profile.Dots, face
		t.sim = printersim.New(&po)
		master, slave, err := printersim.OpenPTY()
		if err != nil {
			return nil, err
		}
		sctx, cancel := context.WithCancel(ctx)
		served := make(chan struct{})
		go func() {
			defer close(served)
			if err := t.sim.Serve(sctx, master); err != nil {
				log.Error(c.what+": simulated printer stopped", "err", err)
			}
		}()
		// The slave stays open so the simulator's end never sees a hangup
		// while the driver reopens the port by name.
		t.closers = append(t.closers, func() { cancel(); <-served; master.Close(); slave.Close() })
		path = slave.Name()
		log.Info(c.what+": simulated ticket printer (demo mode)", "pty", path)
	} else {
		usb = isUSBPrinterClass(path)
	}
	t.driver = printer.New(openPort(path, baud, usb), &printer.Opts{
		Profile:        profile,
		Face:           face,
		Logger:         log,
		StatusOptional: usb,
		Baud:           serialBaud(baud, usb),
	})
	t.closers = append(t.closers, func() { t.driver.Close() })
	so := tune.spool
	so.Logger = log
	if t.spool, err = spool.Open(c.spoolDir, t.driver, &so); err != nil {
		return nil, err
	}
	return t, nil
}
