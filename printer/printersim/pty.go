package printersim

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// OpenPTY opens a pseudo-terminal pair for a simulated serial line: Serve
// the simulated printer on master, and give the driver slave (or its name,
// slave.Name(), to open like a serial port). The slave is in raw mode, so
// binary data, XON/XOFF and CR pass unchanged. The caller closes both.
//
// Both files are non-blocking and registered with Go's poller, so Close
// and read deadlines interrupt a blocked Read (pty.Open returns files in
// blocking mode: its ioctls go through Fd()).
func OpenPTY() (master, slave *os.File, err error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("printersim: opening a pty: %w", err)
	}
	defer m.Close()
	defer s.Close()
	if master, err = pollable(m); err != nil {
		return nil, nil, fmt.Errorf("printersim: pty: %w", err)
	}
	if slave, err = pollable(s); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("printersim: pty: %w", err)
	}
	if err := makeRaw(slave); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("printersim: pty raw mode: %w", err)
	}
	return master, slave, nil
}

// pollable returns a non-blocking duplicate of f that Go's poller manages.
func pollable(f *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// makeRaw is cfmakeraw(3). It goes through SyscallConn: f.Fd() would put
// the file in blocking mode and disable its deadlines.
func makeRaw(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	if err := rc.Control(func(fd uintptr) { ioErr = setRaw(int(fd)) }); err != nil {
		return err
	}
	return ioErr
}

func setRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}
