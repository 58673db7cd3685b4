package idcard_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// rig is a Reader polling a simulator over a pseudo-terminal opened with
// tarm/serial, as in the kiosk. The device can be unplugged and plugged in
// again.
type rig struct {
	t      *testing.T
	sim    *idcardsim.Sim
	path   atomic.Pointer[string] // the port the open function opens
	pty    *idcardsim.PTY
	events chan idcard.Event
	cancel context.CancelFunc
	done   chan error
	opens  atomic.Int32
	// readings counts the EventReading that next passed over.
	readings int
}

var testNow = time.Date(2026, 6, 1, 10, 0, 0, 0, idcard.ChinaTime())

func newRig(t *testing.T, simOpts *idcardsim.Opts, tune func(*idcard.ReaderOpts)) *rig {
	t.Helper()
	return newRigWith(t, idcardsim.New(simOpts), tune)
}

// newRigWith starts a Reader (with opts changed by tune) against sim.
func newRigWith(t *testing.T, sim *idcardsim.Sim, tune func(*idcard.ReaderOpts)) *rig {
	t.Helper()
	r := &rig{t: t, sim: sim, events: make(chan idcard.Event, 100), done: make(chan error, 1)}
	r.plug()
	opts := &idcard.ReaderOpts{
		Timeouts:   &shortTimeouts,
		Poll:       20 * time.Millisecond,
		BackoffMin: 20 * time.Millisecond,
		BackoffMax: 100 * time.Millisecond,
		Now:        func() time.Time { return testNow },
	}
	if tune != nil {
		tune(opts)
	}
	reader := idcard.NewReader(func(ctx context.Context) (io.ReadWriteCloser, error) {
		r.opens.Add(1)
		return openSerial(*r.path.Load())
	}, opts)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- reader.Run(ctx, r.events) }()
	t.Cleanup(func() {
		r.stop()
		if r.pty != nil {
			r.pty.Close()
		}
	})
	return r
}

// plug starts serving a new pseudo-terminal and points the reader at it.
func (r *rig) plug() {
	r.t.Helper()
	p, err := r.sim.ServePTY(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	r.pty = p
	r.path.Store(&p.Path)
}

// unplug closes the pseudo-terminal under the reader.
func (r *rig) unplug() {
	r.t.Helper()
	if err := r.pty.Close(); err != nil {
		r.t.Errorf("simulator: %v", err)
	}
	r.pty = nil
}

// stop cancels Run and waits for it to return.
func (r *rig) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run: %v", err)
		}
		r.done <- nil
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not return after cancel")
	}
}

// next returns the next event, failing after 10 s. It passes over
// EventReading, counting it (readings): a card's event is what the tests
// wait for.
func (r *rig) next() idcard.Event {
	r.t.Helper()
	for {
		select {
		case ev := <-r.events:
			r.t.Logf("event: %v", ev)
			if ev.Kind == idcard.EventReading {
				r.readings++
				continue
			}
			return ev
		case <-time.After(10 * time.Second):
			r.t.Fatal("no event")
			return idcard.Event{}
		}
	}
}

// expect returns the next event, which must be of kind k.
func (r *rig) expect(k idcard.EventKind) idcard.Event {
	r.t.Helper()
	ev := r.next()
	if ev.Kind != k {
		r.t.Fatalf("event %v, want %v", ev, k)
	}
	return ev
}

// quiet checks that no event comes while the reader polls n more times.
func (r *rig) quiet(n int) {
	r.t.Helper()
	start := r.sim.Count(idcard.OpFind)
	eventually(r.t, "more polls", func() bool { return r.sim.Count(idcard.OpFind) >= start+n })
	select {
	case ev := <-r.events:
		r.t.Fatalf("unexpected event %v", ev)
	default:
	}
}

func TestReaderOneEventPerPlacement(t *testing.T) {
	for _, clone := range []bool{false, true} {
		name := map[bool]string{false: "reader", true: "clone that finds a read card again"}[clone]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, &idcardsim.Opts{FindAfterRead: clone}, nil)
			ready := r.expect(idcard.EventReady)
			if ready.Reconnected || ready.SAMID == (idcard.SAMID{}) {
				t.Errorf("first ready: %+v", ready)
			}
			r.quiet(3)

			r.sim.Place(card(t, idcardsim.LabelResident))
			ev := r.expect(idcard.EventCard)
			if ev.Identity.Number != "421224198506150012" || ev.Err != nil || r.readings != 1 {
				t.Errorf("card event %v after %d reading events, want 1", ev, r.readings)
			}
			r.quiet(10) // lying there: no more events
			// A reader does not find the card it read until it is lifted;
			// a clone does, and the card is read again but not delivered.
			if n := r.sim.Count(idcard.OpReadBase); !clone && n != 1 || clone && n < 5 {
				t.Errorf("card read %d times while it lay there", n)
			}

			// Lift and place the same card: a new placement, a new event.
			r.sim.Remove()
			r.quiet(2)
			r.sim.Place(card(t, idcardsim.LabelResident))
			r.expect(idcard.EventCard)
			if r.readings != 2 {
				t.Errorf("%d reading events for two placements", r.readings)
			}

			// Swap for another card without a poll in between.
			r.sim.Remove()
			r.sim.Place(card(t, idcardsim.LabelElderly))
			if ev := r.expect(idcard.EventCard); ev.Identity.Age(testNow) < 70 {
				t.Errorf("elderly: age %d", ev.Identity.Age(testNow))
			}
		})
	}
}

func TestReaderAllCardTypes(t *testing.T) {
	r := newRig(t, nil, nil)
	r.expect(idcard.EventReady)
	for _, c := range idcardsim.Cards() {
		r.sim.Place(c)
		want := idcard.EventCard
		if c.Label == idcardsim.LabelExpired {
			want = idcard.EventExpired
		}
		ev := r.expect(want)
		sameIdentity(t, *ev.Identity, c.Identity)
		if want == idcard.EventExpired && !errors.Is(ev.Err, idcard.ErrExpired) {
			t.Errorf("expired card: err %v", ev.Err)
		}
		r.sim.Remove()
	}
}

// TestReaderUnreadable: a card that does not read gives one
// EventUnreadable for its placement (the visitor lifts and replaces it),
// then reads when placed again.
func TestReaderUnreadable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault idcardsim.Fault
		want  error
	}{
		{"read failed", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: idcard.StatusReadFailed}, idcard.ErrRead},
		{"SAM failed to authenticate the card", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: idcard.StatusSAMAuthCard}, idcard.ErrRead},
		{"select failed", idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSelect, Status: idcard.StatusSelectFailed}, idcard.ErrSelect},
		{"bad checksum", idcardsim.Fault{Kind: idcardsim.FaultBadChecksum, Op: idcard.OpReadBase}, idcard.ErrChecksum},
		{"truncated", idcardsim.Fault{Kind: idcardsim.FaultTruncate, Op: idcard.OpReadBase}, idcard.ErrTimeout},
		{"too slow", idcardsim.Fault{Kind: idcardsim.FaultSlow, Op: idcard.OpReadBase, Delay: slowFault}, idcard.ErrTimeout},
		{"silent on read", idcardsim.Fault{Kind: idcardsim.FaultSilence, Op: idcard.OpReadBase}, idcard.ErrTimeout},
		{"damaged text", idcardsim.Fault{}, idcard.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil)
			r.expect(idcard.EventReady)
			c := card(t, idcardsim.LabelResident)
			if tc.want == idcard.ErrInvalid {
				text, _ := idcardsim.EncodeText(c.Identity)
				text[2*17+122] ^= 1 // one bit of the ID number's check character
				c.Text = text
			}
			r.sim.SetFault(tc.fault)
			r.sim.Place(c)
			ev := r.expect(idcard.EventUnreadable)
			if !errors.Is(ev.Err, tc.want) {
				t.Errorf("unreadable because %v, want %v", ev.Err, tc.want)
			}
			if ev.Message() != "未能读取证件，请拿起后重新放置" {
				t.Errorf("message %q", ev.Message())
			}
			r.quiet(5)
			r.sim.SetFault(idcardsim.Fault{})
			r.sim.Remove()
			r.sim.Place(card(t, idcardsim.LabelResident))
			// A read that timed out may leave the reader one answer behind;
			// the card comes next anyway.
			r.expect(idcard.EventCard)
		})
	}
}

// TestReaderRetriesWhileCardLies: a clone that finds the card again retries
// after a failed select; the visitor sees one EventUnreadable, then the card.
func TestReaderRetriesWhileCardLies(t *testing.T) {
	r := newRig(t, &idcardsim.Opts{FindAfterRead: true}, nil)
	r.expect(idcard.EventReady)
	r.sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSelect, Status: idcard.StatusSelectFailed, Times: 3})
	r.sim.Place(card(t, idcardsim.LabelResident))
	r.expect(idcard.EventUnreadable) // once, not for each of the 3 failures
	r.expect(idcard.EventCard)
	r.quiet(5)
}

// TestReaderJunkAndSlowAnswers: noise before frames and slow (but timely)
// answers do not disturb anything.
func TestReaderJunkAndSlowAnswers(t *testing.T) {
	for _, f := range []idcardsim.Fault{
		{Kind: idcardsim.FaultJunk},
		{Kind: idcardsim.FaultSlow, Delay: 30 * time.Millisecond},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			r := newRig(t, &idcardsim.Opts{Baud: 115200}, nil)
			r.sim.SetFault(f)
			r.expect(idcard.EventReady)
			r.sim.Place(card(t, idcardsim.LabelMinority))
			if ev := r.expect(idcard.EventCard); ev.Identity.Name != "阿依古丽·测试" {
				t.Errorf("name %q", ev.Identity.Name)
			}
			r.quiet(3)
		})
	}
}

// TestReaderUnplugged: the device vanishes (USB unplugged): EventOffline,
// then, once it is back, EventReady with Reconnected, and cards read again.
func TestReaderUnplugged(t *testing.T) {
	r := newRig(t, nil, nil)
	r.expect(idcard.EventReady)
	r.sim.Place(card(t, idcardsim.LabelResident))
	r.expect(idcard.EventCard)

	r.unplug()
	ev := r.expect(idcard.EventOffline)
	if !errors.Is(ev.Err, idcard.ErrDisconnected) {
		t.Errorf("offline because %v, want ErrDisconnected", ev.Err)
	}
	// While it is away the reader keeps trying, with no more events.
	opens := r.opens.Load()
	eventually(t, "reopening attempts", func() bool { return r.opens.Load() >= opens+3 })
	select {
	case ev := <-r.events:
		t.Fatalf("event while unplugged: %v", ev)
	default:
	}

	r.sim.Remove()
	r.plug()
	if ev := r.expect(idcard.EventReady); !ev.Reconnected {
		t.Error("ready after the outage without Reconnected")
	}
	r.sim.Place(card(t, idcardsim.LabelElderly))
	r.expect(idcard.EventCard)
}

// TestReaderNotThereAtStart: no device at start: one EventOffline, then
// EventReady when it appears.
func TestReaderNotThereAtStart(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ttyUSB0")
	r := &rig{t: t, sim: idcardsim.New(nil), events: make(chan idcard.Event, 10), done: make(chan error, 1)}
	r.path.Store(&missing)
	reader := idcard.NewReader(func(ctx context.Context) (io.ReadWriteCloser, error) {
		return openSerial(*r.path.Load())
	}, &idcard.ReaderOpts{Poll: 20 * time.Millisecond, BackoffMin: 10 * time.Millisecond, BackoffMax: 40 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- reader.Run(ctx, r.events) }()
	t.Cleanup(func() {
		r.stop()
		if r.pty != nil {
			r.pty.Close()
		}
	})
	ev := r.expect(idcard.EventOffline)
	if !errors.Is(ev.Err, idcard.ErrDisconnected) || !errors.Is(ev.Err, os.ErrNotExist) {
		t.Errorf("offline because %v", ev.Err)
	}
	r.plug()
	if ev := r.expect(idcard.EventReady); ev.Reconnected {
		t.Error("first ready marked Reconnected")
	}
}

// TestReaderSilent: a reader that stops answering is offline after
// MaxSilence commands, and back when it answers again.
func TestReaderSilent(t *testing.T) {
	r := newRig(t, nil, nil)
	r.expect(idcard.EventReady)
	r.sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultSilence})
	ev := r.expect(idcard.EventOffline)
	if !errors.Is(ev.Err, idcard.ErrTimeout) {
		t.Errorf("offline because %v, want ErrTimeout", ev.Err)
	}
	r.sim.SetFault(idcardsim.Fault{})
	if ev := r.expect(idcard.EventReady); !ev.Reconnected {
		t.Error("not marked Reconnected")
	}
}

// TestReaderSAMFailure: a SAM that fails its self-test at start (even after
// a reset), or later during the periodic check, makes the reader offline.
func TestReaderSAMFailure(t *testing.T) {
	t.Run("at start", func(t *testing.T) {
		sim := idcardsim.New(nil)
		sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSAMStatus, Status: idcard.StatusSAMSelfTest})
		r := newRigWith(t, sim, nil)
		ev := r.expect(idcard.EventOffline)
		if !errors.Is(ev.Err, idcard.ErrSAM) {
			t.Errorf("offline because %v, want ErrSAM", ev.Err)
		}
		if sim.Count(idcard.OpReset) == 0 {
			t.Error("no reset tried")
		}
		r.sim.SetFault(idcardsim.Fault{})
		r.expect(idcard.EventReady)
	})
	t.Run("reset cures it", func(t *testing.T) {
		sim := idcardsim.New(nil)
		sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSAMStatus, Status: idcard.StatusSAMSelfTest, Times: 1})
		r := newRigWith(t, sim, nil)
		r.expect(idcard.EventReady)
	})
	t.Run("periodic check", func(t *testing.T) {
		r := newRig(t, nil, func(o *idcard.ReaderOpts) { o.SAMCheck = 50 * time.Millisecond })
		r.expect(idcard.EventReady)
		checks := r.sim.Count(idcard.OpSAMStatus)
		eventually(t, "periodic SAM checks", func() bool { return r.sim.Count(idcard.OpSAMStatus) >= checks+2 })
		r.sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpSAMStatus, Status: idcard.StatusSAMUnauthorised})
		if ev := r.expect(idcard.EventOffline); !errors.Is(ev.Err, idcard.ErrSAM) {
			t.Errorf("offline because %v, want ErrSAM", ev.Err)
		}
	})
}

// TestReaderNewestAddress: the newest address is read when asked for; a
// reader that does not know 30 03 is not asked again.
func TestReaderNewestAddress(t *testing.T) {
	newest := func(o *idcard.ReaderOpts) { o.NewestAddress = true }
	t.Run("supported", func(t *testing.T) {
		r := newRig(t, nil, newest)
		r.expect(idcard.EventReady)
		c := card(t, idcardsim.LabelResident)
		c.Identity.NewestAddress = "湖北省咸宁市通山县新址路2号"
		r.sim.Place(c)
		ev := r.expect(idcard.EventCard)
		if ev.Identity.NewestAddress != c.Identity.NewestAddress || ev.Identity.CurrentAddress() != c.Identity.NewestAddress {
			t.Errorf("newest address %q", ev.Identity.NewestAddress)
		}
		r.sim.Remove()
		r.sim.Place(card(t, idcardsim.LabelElderly)) // has none: 91
		if ev := r.expect(idcard.EventCard); ev.Identity.NewestAddress != "" {
			t.Errorf("newest address %q on a card without one", ev.Identity.NewestAddress)
		}
	})
	t.Run("unsupported", func(t *testing.T) {
		r := newRig(t, &idcardsim.Opts{NoNewestAddress: true}, newest)
		r.expect(idcard.EventReady)
		for _, label := range []string{idcardsim.LabelResident, idcardsim.LabelElderly} {
			r.sim.Place(card(t, label))
			r.expect(idcard.EventCard)
			r.sim.Remove()
		}
		if n := r.sim.Count(idcard.OpReadNewestAddress); n != 1 {
			t.Errorf("asked for the newest address %d times, want once", n)
		}
	})
}

// TestReaderStops: cancelling the context ends Run, also while a command
// waits for an answer that does not come.
func TestReaderStops(t *testing.T) {
	r := newRig(t, nil, func(o *idcard.ReaderOpts) {
		o.Timeouts = &idcard.Timeouts{Find: time.Hour, Select: time.Hour, Read: time.Hour, Other: time.Hour}
	})
	r.expect(idcard.EventReady)
	r.sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultSilence})
	finds := r.sim.Count(idcard.OpFind)
	eventually(t, "a find waiting", func() bool { return r.sim.Count(idcard.OpFind) > finds })
	r.stop() // fails the test if Run does not return
	select {
	case ev := <-r.events:
		t.Errorf("event after stop: %v", ev)
	default:
	}
}

// TestReaderBlockedConsumer: Run stops even when nobody receives events.
func TestReaderBlockedConsumer(t *testing.T) {
	sim := idcardsim.New(nil)
	reader := idcard.NewReader(sim.Open, &idcard.ReaderOpts{Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := reader.Run(ctx, make(chan idcard.Event)); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	eventually(t, "the SAM check", func() bool { return sim.Count(idcard.OpSAMID) > 0 })
	cancel()
	wg.Wait()
}

// TestReaderOverPipes: the in-memory port of idcardsim.Open serves the
// kiosk's demo mode; the loop works over it.
func TestReaderOverPipes(t *testing.T) {
	sim := idcardsim.New(nil)
	reader := idcard.NewReader(sim.Open, &idcard.ReaderOpts{Poll: 10 * time.Millisecond, Now: func() time.Time { return testNow }})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan idcard.Event, 10)
	done := make(chan error, 1)
	go func() { done <- reader.Run(ctx, events) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if ev := <-events; ev.Kind != idcard.EventReady {
		t.Fatalf("first event %v", ev)
	}
	sim.Place(card(t, idcardsim.LabelForeign2023))
	ev := <-events
	if ev.Kind == idcard.EventReading {
		ev = <-events
	}
	if ev.Kind != idcard.EventCard || ev.Identity.Type != idcard.CardForeign2023 {
		t.Fatalf("event %v", ev)
	}
}
