//go:build linux

package idcardsim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal whose device end a Sim serves. A driver opens
// Path as it would /dev/ttyUSB0 (with tarm/serial, for instance). A
// pseudo-terminal ignores the baud rate: set Opts.Baud to emulate it.
type PTY struct {
	// Path is the terminal to open, e.g. /dev/pts/3.
	Path string

	master *os.File
	// slave is held open so that the master sees no hangup while the
	// driver closes and reopens Path.
	slave  *os.File
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
}

// ServePTY opens a pseudo-terminal in raw mode and serves it in a goroutine
// until ctx ends or Close is called.
func (s *Sim) ServePTY(ctx context.Context) (*PTY, error) {
	m, t, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("idcardsim: open pty: %w", err)
	}
	// pty.Open leaves the master in blocking mode, where a read cannot be
	// interrupted. A non-blocking duplicate goes through Go's poller and
	// supports read deadlines, so Serve can stop.
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	m.Close()
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("idcardsim: dup pty master: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		t.Close()
		return nil, fmt.Errorf("idcardsim: pty master: %w", err)
	}
	master := os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := makeRaw(t); err != nil {
		master.Close()
		t.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &PTY{Path: t.Name(), master: master, slave: t, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = s.Serve(ctx, master)
	}()
	return p, nil
}

// makeRaw sets the terminal to raw mode (cfmakeraw): no echo, no line
// editing, no translation of CR and NL, 8 bits. A serial library sets the
// same when it opens Path; doing it here too keeps the first bytes intact
// whoever opens it.
func makeRaw(f *os.File) error {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("idcardsim: pty termios: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("idcardsim: pty raw mode: %w", err)
	}
	return nil
}

// Close stops serving and closes the terminal: a driver that has Path open
// sees the device vanish, as when a USB adapter is unplugged. It returns
// Serve's error, if any.
func (p *PTY) Close() error {
	p.once.Do(func() {
		p.cancel()
		<-p.done
		err := errors.Join(p.master.Close(), p.slave.Close())
		p.err = errors.Join(p.err, err)
	})
	return p.err
}
