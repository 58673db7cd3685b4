package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tarm/serial"

	"yiting/kiosk/idcard"
)

// runIDCard is the installer's reader check:
//
//	yiting idcard -port /dev/ttyUSB0 [-baud 115200] [-newest] [-v]
//	yiting idcard -port /dev/ttyUSB0 -set-baud 9600
//
// It prints the SAM id, then every card placed, with the ID number, name and
// address masked: it never prints a whole ID number. It reconnects when the
// reader is unplugged and stops on Ctrl-C (ctx).
func runIDCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idcard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.String("port", "", "serial port of the reader, e.g. /dev/ttyUSB0")
	baud := fs.Int("baud", 115200, "line rate of the reader: 115200, 57600, 38400, 19200 or 9600")
	newest := fs.Bool("newest", false, "also read the newest (appended) address (30 03)")
	setBaud := fs.Int("set-baud", 0, "set the reader's line rate to this value, then exit")
	verbose := fs.Bool("v", false, "log the protocol to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port == "" {
		fs.Usage()
		return errors.New("idcard: -port is required")
	}
	if _, err := idcard.SetBaudOp(*baud); err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	open := func(ctx context.Context) (io.ReadWriteCloser, error) {
		// A read timeout is a must: tarm/serial's Close hangs behind a
		// read without one, and the loop checks ctx between reads.
		return serial.OpenPort(&serial.Config{Name: *port, Baud: *baud, ReadTimeout: 100 * time.Millisecond})
	}
	if *setBaud != 0 {
		return setReaderBaud(ctx, open, *baud, *setBaud, stdout)
	}

	reader := idcard.NewReader(open, &idcard.ReaderOpts{Baud: *baud, NewestAddress: *newest, Logger: logger})
	events := make(chan idcard.Event, 8)
	done := make(chan error, 1)
	go func() { done <- reader.Run(ctx, events) }()
	fmt.Fprintf(stdout, "正在连接读卡器 %s（%d 波特），按 Ctrl-C 退出\n", *port, *baud)
	for {
		select {
		case err := <-done:
			fmt.Fprintln(stdout, "已退出")
			return err
		case ev := <-events:
			printEvent(stdout, ev)
		}
	}
}

// setReaderBaud sends the set-baud command at the current rate.
func setReaderBaud(ctx context.Context, open idcard.OpenFunc, from, to int, stdout io.Writer) error {
	if _, err := idcard.SetBaudOp(to); err != nil {
		return err
	}
	port, err := open(ctx)
	if err != nil {
		return fmt.Errorf("idcard: open port: %w", err)
	}
	defer port.Close()
	t := idcard.DefaultTimeouts(from)
	conn := idcard.NewConn(port, &t)
	if err := conn.SetBaud(ctx, to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "读卡器波特率已设为 %d（保存在安全模块中）；以后请用 -baud %d\n", to, to)
	return nil
}

// printEvent shows an event to the installer, masked.
func printEvent(w io.Writer, ev idcard.Event) {
	switch ev.Kind {
	case idcard.EventReady:
		if ev.Reconnected {
			fmt.Fprintln(w, "读卡器已重新连接")
		}
		fmt.Fprintf(w, "读卡器就绪，安全模块（SAM）编号 %s\n请放置证件\n", ev.SAMID)
	case idcard.EventOffline:
		fmt.Fprintf(w, "读卡器不可用：%v\n正在重试……\n", ev.Err)
	case idcard.EventReading:
		fmt.Fprintln(w, "正在读取证件，请不要移动……")
	case idcard.EventUnreadable:
		fmt.Fprintf(w, "未能读取证件：%v\n请拿起证件后重新放置\n", ev.Err)
	case idcard.EventCard, idcard.EventExpired:
		printIdentity(w, ev.Identity, ev.Kind == idcard.EventExpired)
	}
}

func printIdentity(w io.Writer, id *idcard.Identity, expired bool) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s：%s\n", k, v)
		}
	}
	fmt.Fprintln(w, "读到证件：")
	row("证件类型", id.Type.String())
	row("姓名", idcard.MaskName(id.Name))
	row("英文姓名", idcard.MaskName(id.EnglishName))
	row("性别", id.Sex.String())
	if id.Nation != 0 {
		row("民族", id.Nation.String())
	}
	row("国籍", id.Nationality)
	row("证件号码", id.MaskedNumber())
	row("住址", idcard.MaskAddress(id.Address))
	row("最新住址", idcard.MaskAddress(id.NewestAddress))
	row("通行证号码", idcard.MaskID(id.PassNumber))
	row("签发机关", id.Authority)
	to := "长期"
	if !id.Permanent() {
		to = id.ValidTo.Format(time.DateOnly)
	}
	valid := id.ValidFrom.Format(time.DateOnly) + " 至 " + to
	if expired {
		valid += "（已过期）"
	}
	row("有效期限", valid)
}
