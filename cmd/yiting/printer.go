package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/tarm/serial"
	"golang.org/x/sys/unix"

	"yiting/printer"
	"yiting/printer/typeface"
)

// runPrinter is the installer's printer check:
//
//	yiting printer -port /dev/ttyUSB1 [-baud 115200] [-profile 80mm] [-test]
//
// It reads the printer's status and, with -test, prints a test ticket
// (Chinese text, a rare character, the case QR code) and cuts. On paper out,
// cover open or any other fault it says so in Chinese and English, prints
// nothing and fails. -port may also be a USB printer-class device such as
// /dev/usb/lp0, whose status may not be readable.
func runPrinter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("printer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.String("port", "", "serial port (/dev/ttyUSB1, /dev/serial0) or USB printer-class device (/dev/usb/lp0)")
	baud := fs.Int("baud", 115200, "serial speed in bit/s")
	profileName := fs.String("profile", "80mm", "printer profile: 80mm or 58mm, with options -gb2312 -gbk -gb18030 -raster -asb -nofs")
	test := fs.Bool("test", false, "print a test ticket with Chinese text and a QR code, then cut")
	usb := fs.Bool("usb", false, "treat -port as a USB printer-class device file (automatic for /dev/usb/lp*)")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for each status reply")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port == "" {
		fs.Usage()
		return errors.New("printer: -port is required")
	}
	profile, err := printer.ProfileByName(*profileName)
	if err != nil {
		return err
	}
	usbClass := *usb || isUSBPrinterClass(*port)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	face, err := typeface.Find()
	if err != nil {
		fmt.Fprintln(stderr, "note: no CJK font found; characters the printer lacks will print as □ (install fonts-noto-cjk)")
	}
	drv := printer.New(openPort(*port, *baud, usbClass), &printer.Opts{
		Profile:        profile,
		Face:           face,
		Logger:         log,
		ReplyTimeout:   *timeout,
		StatusOptional: usbClass,
		Baud:           serialBaud(*baud, usbClass),
	})
	defer drv.Close()

	fmt.Fprintf(stdout, "打印机 %s（%s）\nprinter %s, profile %s\n", *port, profile.Name, *port, profile.Name)
	st, err := drv.Status(ctx)
	if err == nil {
		err = st.Err()
	}
	if err != nil {
		return report(stdout, err)
	}
	switch {
	case !st.Known:
		fmt.Fprintln(stdout, "状态：无法读取（USB 打印机类设备），继续\nstatus: cannot be read from this device, carrying on")
	case st.Warning() != "":
		fmt.Fprintf(stdout, "状态：可以打印。注意：%s\nstatus: ready; warning: paper near end\n", st.Warning())
	default:
		fmt.Fprintln(stdout, "状态：正常\nstatus: ready")
	}
	if !*test {
		return nil
	}
	if _, err := drv.Print(ctx, testTicket(*port, profile)); err != nil {
		return report(stdout, err)
	}
	fmt.Fprintln(stdout, "测试凭条已打印并切纸：请检查中文、生僻字、二维码（扫码应打开 http://hall.local/c/TEST0001）和切口。\ntest ticket printed and cut: check the Chinese text, the rare character, the QR code and the cut.")
	return nil
}

// report says what is wrong in both languages and returns the error, so
// the command exits non-zero.
func report(w io.Writer, err error) error {
	zh, en := printer.Advice(err)
	if errors.Is(err, printer.ErrInterrupted) {
		zh += "（凭条可能只打印了一部分）"
		en += " (the ticket may be partly printed)"
	}
	fmt.Fprintf(w, "错误：%s\nerror: %s\n", zh, en)
	return err
}

func testTicket(port string, p printer.Profile) printer.Ticket {
	return printer.Ticket{
		Hall:     "一厅 打印机测试",
		Number:   "T001",
		Service:  "打印测试",
		Counter:  "本机",
		Location: port,
		Issued:   time.Now(),
		Visitor:  "测*㛃",
		Note:     fmt.Sprintf("纸宽 %d 点，字库 %s；生僻字“㛃”由图像打印则说明字库不含此字", p.Dots, p.Charset),
		CaseCode: "TEST0001",
		CaseURL:  "http://hall.local/c/TEST0001",
		Footer:   "请留意叫号，过号请重新取号",
	}
}

// isUSBPrinterClass reports whether path is a USB printer-class device
// (the usblp driver, character major 180).
func isUSBPrinterClass(path string) bool {
	if strings.HasPrefix(path, "/dev/usb/lp") {
		return true
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(st.Rdev) == 180
}

// openPort returns how the driver opens the printer: a serial port with a
// read timeout (tarm/serial then returns (0, io.EOF) for "nothing yet", and
// Close cannot hang), or a device file.
func openPort(path string, baud int, usbClass bool) func() (io.ReadWriteCloser, error) {
	if usbClass {
		return func() (io.ReadWriteCloser, error) {
			return os.OpenFile(path, os.O_RDWR, 0)
		}
	}
	return func() (io.ReadWriteCloser, error) {
		return serial.OpenPort(&serial.Config{Name: path, Baud: baud, ReadTimeout: 200 * time.Millisecond})
	}
}

// serialBaud is the line speed the driver allows for, 0 for USB.
func serialBaud(baud int, usbClass bool) int {
	if usbClass {
		return 0
	}
	return baud
}
