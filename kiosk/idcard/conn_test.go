package idcard_test

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"
	"time"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// shortTimeouts keep fault tests quick, with margin for a loaded machine
// under -race; the defaults are tested apart. slowFault is well past them.
// Under user-mode emulation (make test-arm sets YITING_EMULATED) the
// driver and the simulated reader both run emulated: a busy machine then
// missed 400 ms for a two-frame exchange, so every wait is three times
// as long.
var (
	shortTimeouts = idcard.Timeouts{
		Find: 400 * ms, Select: 400 * ms, Read: 800 * ms,
		ReadFingerprint: 800 * ms, Other: 400 * ms,
	}
	slowFault = 1500 * ms
	ms        = emulationStretch()
)

// emulationStretch is a millisecond, three of them under emulation.
func emulationStretch() time.Duration {
	if os.Getenv("YITING_EMULATED") != "" {
		return 3 * time.Millisecond
	}
	return time.Millisecond
}

func TestDefaultTimeouts(t *testing.T) {
	d := idcard.DefaultTimeouts(9600)
	if d.Find != 500*time.Millisecond || d.Select != 500*time.Millisecond {
		t.Errorf("find/select %v/%v, want 500 ms", d.Find, d.Select)
	}
	// 3 s for a base read at 9600 (the doc), less at 115200, more with a
	// fingerprint.
	if d.Read < 2900*time.Millisecond || d.Read > 3100*time.Millisecond {
		t.Errorf("read at 9600: %v, want about 3 s", d.Read)
	}
	f := idcard.DefaultTimeouts(115200)
	if f.Read >= d.Read || f.Read < time.Second || d.ReadFingerprint <= d.Read {
		t.Errorf("read at 115200 %v, at 9600 %v, fingerprint at 9600 %v", f.Read, d.Read, d.ReadFingerprint)
	}
	// Wire time: 1295 bytes at 115200 is about 112 ms, at 9600 about 1.35 s.
	if w := idcard.WireTime(1295, 115200); w < 112*time.Millisecond || w > 113*time.Millisecond {
		t.Errorf("WireTime(1295, 115200) = %v", w)
	}
	if w := idcard.WireTime(1295, 9600); w < 1340*time.Millisecond || w > 1350*time.Millisecond {
		t.Errorf("WireTime(1295, 9600) = %v", w)
	}
}

// TestConnRoundTrip runs every command against the simulator over a real
// pseudo-terminal opened with tarm/serial.
func TestConnRoundTrip(t *testing.T) {
	samID := idcard.SAMID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sim, conn := dialPTY(t, &idcardsim.Opts{SAMID: samID}, nil)
	ctx := context.Background()

	if err := conn.Reset(ctx); err != nil {
		t.Fatal("reset:", err)
	}
	if err := conn.SAMStatus(ctx); err != nil {
		t.Fatal("SAM status:", err)
	}
	if id, err := conn.SAMID(ctx); err != nil || id != samID || id.String() != "0102030405060708090A0B0C0D0E0F10" {
		t.Fatalf("SAM id %v, %v", id, err)
	}
	if err := conn.Find(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("find with no card: %v, want ErrNoCard", err)
	}

	for _, c := range idcardsim.Cards() {
		c.Identity.NewestAddress = "湖北省咸宁市通山县新址路" + c.Label
		sim.Place(c)
		id, err := conn.ReadIdentity(ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.Label, err)
		}
		addr, err := conn.NewestAddress(ctx)
		if err != nil || addr != c.Identity.NewestAddress {
			t.Errorf("%s: newest address %q, %v", c.Label, addr, err)
		}
		id.NewestAddress = addr
		sameIdentity(t, *id, c.Identity)
		// The card still lies there: the reader does not find it again.
		if err := conn.Find(ctx); !errors.Is(err, idcard.ErrNoCard) {
			t.Errorf("%s: find after read: %v, want ErrNoCard", c.Label, err)
		}
		sim.Remove()
	}

	// Read with fingerprint: the data is counted and dropped.
	for _, label := range []string{idcardsim.LabelElderly, idcardsim.LabelMinority, idcardsim.LabelResident} {
		c := card(t, label)
		sim.Place(c)
		if err := conn.Find(ctx); err != nil {
			t.Fatal(err)
		}
		if err := conn.Select(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := conn.ReadWithFingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Text) != 256 || m.PhotoLen != 1024 || m.FingerprintLen != c.FingerprintLen {
			t.Errorf("%s: text %d, photo %d, fingerprint %d bytes", label, len(m.Text), m.PhotoLen, m.FingerprintLen)
		}
		// No newest address on this card.
		if _, err := conn.NewestAddress(ctx); !errors.Is(err, idcard.ErrNoContent) {
			t.Errorf("newest address of a card without one: %v, want ErrNoContent", err)
		}
		sim.Remove()
	}

	// Select and read without a card.
	if err := conn.Select(ctx); !errors.Is(err, idcard.ErrSelect) {
		t.Errorf("select with no card: %v, want ErrSelect", err)
	}
	if _, err := conn.ReadBase(ctx); !errors.Is(err, idcard.ErrRead) {
		t.Errorf("read with no card: %v, want ErrRead", err)
	}
	// The management number is not simulated: "unsupported".
	if _, err := conn.Transact(ctx, idcard.Command{Op: idcard.OpReadManagementNo}, time.Second); !errors.Is(err, idcard.ErrUnsupported) {
		t.Errorf("30 05: %v, want ErrUnsupported", err)
	}
	if _, err := conn.Transact(ctx, idcard.Command{Op: idcard.OpSetMaxRFFrameLength, Data: []byte{80}}, time.Second); err != nil {
		t.Errorf("61 FF 50: %v", err)
	}
	if err := conn.SetBaud(ctx, 14400); err == nil {
		t.Error("SetBaud(14400) accepted")
	}
	if err := conn.SetBaud(ctx, 9600); err != nil {
		t.Errorf("SetBaud(9600): %v", err)
	}
}

func TestConnNewestAddressUnsupported(t *testing.T) {
	sim, conn := dialPTY(t, &idcardsim.Opts{NoNewestAddress: true}, nil)
	sim.Place(card(t, idcardsim.LabelResident))
	if _, err := conn.ReadIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.NewestAddress(context.Background()); !errors.Is(err, idcard.ErrUnsupported) {
		t.Errorf("newest address on a reader without it: %v, want ErrUnsupported", err)
	}
}

// TestConnSetBaudChangesWireTime: after 60 04 the simulator paces at 9600.
func TestConnSetBaudChangesWireTime(t *testing.T) {
	sim, conn := dialPTY(t, &idcardsim.Opts{Baud: 115200}, nil)
	if err := conn.SetBaud(context.Background(), 9600); err != nil {
		t.Fatal(err)
	}
	// The reader switches after its answer has left (the host waits a few
	// milliseconds before talking at the new rate): poll for it.
	deadline := time.Now().Add(2 * time.Second)
	for sim.Baud() != 9600 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if b := sim.Baud(); b != 9600 {
		t.Errorf("simulator at %d baud after set baud 9600", b)
	}
}

// TestConnFaults: every fault of the simulator, on the command it hits,
// gives the error the kiosk acts on — and the next command works again.
func TestConnFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault idcardsim.Fault
		want  error // nil: the read succeeds despite the fault
	}{
		{"junk before every answer", idcardsim.Fault{Kind: idcardsim.FaultJunk}, nil},
		{"custom junk", idcardsim.Fault{Kind: idcardsim.FaultJunk, Junk: []byte("\r\nOK\r\n\xAA\xAA")}, nil},
		{"slow but in time", idcardsim.Fault{Kind: idcardsim.FaultSlow, Delay: 50 * time.Millisecond}, nil},
		{"bad checksum on read", idcardsim.Fault{Kind: idcardsim.FaultBadChecksum, Op: idcard.OpReadBase}, idcard.ErrChecksum},
		{"bad checksum on find", idcardsim.Fault{Kind: idcardsim.FaultBadChecksum, Op: idcard.OpFind}, idcard.ErrChecksum},
		{"truncated read", idcardsim.Fault{Kind: idcardsim.FaultTruncate, Op: idcard.OpReadBase}, idcard.ErrTimeout},
		{"truncated select", idcardsim.Fault{Kind: idcardsim.FaultTruncate, Op: idcard.OpSelect, Bytes: 9}, idcard.ErrTimeout},
		{"read too slow", idcardsim.Fault{Kind: idcardsim.FaultSlow, Op: idcard.OpReadBase, Delay: slowFault}, idcard.ErrTimeout},
		{"silent on find", idcardsim.Fault{Kind: idcardsim.FaultSilence, Op: idcard.OpFind}, idcard.ErrTimeout},
		{"read failed 41", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x41}, idcard.ErrRead},
		{"card failed to authenticate SAM 31", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x31}, idcard.ErrRead},
		{"SAM failed to authenticate card 32", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x32}, idcard.ErrRead},
		{"unrecognised card 40", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x40}, idcard.ErrRead},
		{"select failed 81", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSelect, Status: 0x81}, idcard.ErrSelect},
		{"no card 80", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpFind, Status: 0x80}, idcard.ErrNoCard},
		{"reader got a bad checksum 10", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpFind, Status: 0x10}, idcard.ErrReaderChecksum},
		{"reader got a bad length 11", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSelect, Status: 0x11}, idcard.ErrReaderChecksum},
		{"SAM self-test failed 60", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x60}, idcard.ErrSAM},
		{"SAM not authorised 66", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpFind, Status: 0x66}, idcard.ErrSAM},
		{"command error 21", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x21}, idcard.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, conn := dialPTY(t, nil, &shortTimeouts)
			ctx := context.Background()
			sim.SetFault(tc.fault)
			sim.Place(card(t, idcardsim.LabelResident))
			id, err := conn.ReadIdentity(ctx)
			if tc.want == nil {
				if err != nil || id.Number != "421224198506150012" {
					t.Fatalf("read despite %v: %v, %v", tc.fault.Kind, id, err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// The fault cleared, lift and place the card again: it reads,
			// whatever the previous answer left on the line. A reader still
			// busy with a slow answer may miss one more command, so allow
			// the retries the polling loop would make.
			sim.SetFault(idcardsim.Fault{})
			sim.Remove()
			sim.Place(card(t, idcardsim.LabelElderly))
			for try := 1; ; try++ {
				id, err = conn.ReadIdentity(ctx)
				if err == nil && id.Name == "张测试" {
					break
				}
				if try == 5 {
					t.Fatalf("after the fault, try %d: %v, %v", try, id, err)
				}
				t.Logf("after the fault, try %d: %v", try, err)
			}
		})
	}
}

// TestConnStaleAnswerSkipped: an answer to a find that came too late is
// not taken for the answer to select.
func TestConnStaleAnswerSkipped(t *testing.T) {
	sim, conn := dialPTY(t, nil, &shortTimeouts)
	ctx := context.Background()
	sim.Place(card(t, idcardsim.LabelResident))
	// Past the find timeout plus the port's 100 ms read timeout, by which a
	// wait may overrun, but within the next find's timeout.
	sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultSlow, Op: idcard.OpFind, Delay: 600 * ms, Times: 1})
	if err := conn.Find(ctx); !errors.Is(err, idcard.ErrTimeout) {
		t.Fatalf("slow find: %v, want ErrTimeout", err)
	}
	// Find again and select straight away: the late answer arrives during
	// one of them and must be skipped.
	if err := conn.Find(ctx); err != nil {
		t.Fatal(err)
	}
	if err := conn.Select(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := conn.ReadBase(ctx)
	if err != nil || len(m.Text) != 256 {
		t.Fatalf("read: %v", err)
	}
}

// TestConnSplitReads: the driver reads whole frames however the port
// splits them (one byte, half reads), with the simulator as peer over
// buffered pipes.
func TestConnSplitReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := idcardsim.New(&idcardsim.Opts{Baud: 921600}) // pacing splits the stream too
			port, err := sim.Open(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer port.Close()
			conn := idcard.NewConn(splitPort{Reader: tc.wrap(port), Writer: port, d: port.(readDeadliner)}, &shortTimeouts)
			for _, c := range idcardsim.Cards() {
				sim.Place(c)
				id, err := conn.ReadIdentity(context.Background())
				if err != nil {
					t.Fatalf("%s: %v", c.Label, err)
				}
				sameIdentity(t, *id, c.Identity)
			}
		})
	}
}

type readDeadliner interface{ SetReadDeadline(time.Time) error }

type splitPort struct {
	io.Reader
	io.Writer
	d readDeadliner
}

func (s splitPort) SetReadDeadline(t time.Time) error { return s.d.SetReadDeadline(t) }

// TestConnDisconnected: a port that returns (0, io.EOF) at once, over and
// over (a pty whose master is gone, an unplugged adapter), or whose writes
// fail, is ErrDisconnected — not a timeout after the whole wait.
func TestConnDisconnected(t *testing.T) {
	sim := idcardsim.New(nil)
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	port, err := openSerial(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	conn := idcard.NewConn(port, &idcard.Timeouts{Find: time.Hour})
	if err := conn.Find(context.Background()); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Find(context.Background()); !errors.Is(err, idcard.ErrDisconnected) {
		t.Errorf("find on a vanished device: %v, want ErrDisconnected", err)
	}

	// Writes failing.
	conn = idcard.NewConn(struct {
		io.Reader
		io.Writer
	}{eofReader{}, failWriter{}}, nil)
	if err := conn.Reset(context.Background()); !errors.Is(err, idcard.ErrDisconnected) {
		t.Errorf("reset with a failing write: %v, want ErrDisconnected", err)
	}
	// Reads returning (0, io.EOF) at once.
	conn = idcard.NewConn(struct {
		io.Reader
		io.Writer
	}{eofReader{}, io.Discard}, &idcard.Timeouts{Other: time.Hour})
	if err := conn.Reset(context.Background()); !errors.Is(err, idcard.ErrDisconnected) {
		t.Errorf("reset with instant EOFs: %v, want ErrDisconnected", err)
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("write: input/output error") }

// TestConnContext: a cancelled context ends a wait for an answer.
func TestConnContext(t *testing.T) {
	sim, conn := dialPTY(t, nil, &idcard.Timeouts{Find: time.Hour})
	sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultSilence})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for deadline := time.Now().Add(10 * time.Second); sim.Count(idcard.OpFind) == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	if err := conn.Find(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("find: %v, want context.Canceled", err)
	}
}
