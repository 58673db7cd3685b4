package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk"
	"yiting/printer"
	"yiting/printer/spool"
	"yiting/queue"
)

// openDeskPrinter opens the service desk's ticket printer the hall file
// names (devices.desk_printer; "" for none, then the console prints from
// the browser) and returns how the console prints on it. Its spool
// reprints a ticket that met paper out once the paper is back.
func (s *server) openDeskPrinter(ctx context.Context, cfg hallconfig.Devices, log *slog.Logger) (func(ctx context.Context, ticketID uint64, caseURL string) error, error) {
	if cfg.DeskPrinter == "" {
		return nil, nil
	}
	tp, err := openTicketPrinter(ctx, ticketPrinterConfig{path: cfg.DeskPrinter, baud: cfg.PrinterBaud, profile: cfg.PrinterProfile,
		spoolDir: filepath.Join(s.data, "desk-spool"), what: "desk"}, log, deviceTuning{})
	if err != nil {
		return nil, err
	}
	s.deskPrinter = tp
	s.onClose(tp.close)
	s.background(func(ctx context.Context) {
		if err := tp.spool.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("desk: print spool stopped", "err", err)
		}
	})
	return func(ctx context.Context, ticketID uint64, caseURL string) error {
		tv, err := s.eng.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		pt := kiosk.PaperTicket(hallInfo(&s.cfg.Hall), kiosk.Issued{Ticket: tv.Ticket, Ahead: tv.Ahead, CaseURL: caseURL})
		if _, err := tp.spool.Print(ctx, pt); err != nil {
			zh, _ := printer.Advice(err)
			if errors.Is(err, spool.ErrPending) {
				zh += "；小票已保存，打印机恢复后自动补打"
			}
			return &queue.Error{Code: queue.EUNAVAILABLE, Message: zh, Err: err}
		}
		return nil
	}, nil
}

// hallInfo is the hall as a ticket's layout needs it.
func hallInfo(h *queue.Hall) kiosk.HallInfo {
	info := kiosk.HallInfo{Name: h.Name, Location: h.Location, Counters: h.Counters, Priority: h.Priority.Classes}
	for _, sv := range h.Services {
		info.Services = append(info.Services, kiosk.ServiceInfo{Service: sv})
	}
	return info
}
