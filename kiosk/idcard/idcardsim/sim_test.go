package idcardsim_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// exchange writes raw bytes to the simulator and returns the next answer.
func exchange(tb testing.TB, port io.ReadWriter, dec *idcard.Decoder, raw []byte) idcard.Response {
	tb.Helper()
	if _, err := port.Write(raw); err != nil {
		tb.Fatal(err)
	}
	if d, ok := port.(interface{ SetReadDeadline(time.Time) error }); ok {
		d.SetReadDeadline(time.Now().Add(5 * time.Second))
	}
	p, err := dec.Next()
	if err != nil {
		tb.Fatal(err)
	}
	r, err := idcard.ParseResponse(p)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func open(tb testing.TB, sim *idcardsim.Sim) io.ReadWriteCloser {
	tb.Helper()
	port, err := sim.Open(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := port.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return port
}

// TestDamagedCommands: the simulator answers as a reader does to what the
// host got wrong — a bad checksum (10), a command it does not know or bad
// values (21) — and goes on answering.
func TestDamagedCommands(t *testing.T) {
	sim := idcardsim.New(nil)
	port := open(t, sim)
	dec := idcard.NewDecoder(port)
	for _, tc := range []struct {
		name string
		raw  string
		sw3  byte
	}{
		{"bad checksum", "AAAAAA9669 0003 2001 23", 0x10},
		{"unknown command", "AAAAAA9669 0003 7777 03", 0x21},
		{"newest address, other code", "AAAAAA9669 0003 3002 31", 0x21},
		{"RF frame length too small", "AAAAAA9669 0004 61FF 10 8A", 0x21},
		{"junk, then reset", "00FF AAAA 9669 AAAAAA9669 0003 10FF EC", 0x90},
		{"find, no card", "AAAAAA9669 0003 2001 22", 0x80},
	} {
		r := exchange(t, port, dec, unhex(t, tc.raw))
		if r.SW3 != tc.sw3 {
			t.Errorf("%s: SW3 %02X, want %02X", tc.name, r.SW3, tc.sw3)
		}
	}
}

// TestCardLifecycle: find, select, read — then find fails until the card
// is lifted and placed again, as on the readers the simulator imitates.
func TestCardLifecycle(t *testing.T) {
	sim := idcardsim.New(nil)
	port := open(t, sim)
	dec := idcard.NewDecoder(port)
	cmd := func(op idcard.Op) idcard.Response {
		b, _ := idcard.Command{Op: op}.MarshalBinary()
		return exchange(t, port, dec, b)
	}
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	sim.Place(c)
	if r := cmd(idcard.OpReadBase); r.SW3 != 0x41 {
		t.Errorf("read before select: %02X, want 41", r.SW3)
	}
	if r := cmd(idcard.OpSelect); r.SW3 != 0x81 {
		t.Errorf("select before find: %02X, want 81", r.SW3)
	}
	for _, step := range []struct {
		op    idcard.Op
		sw3   byte
		bytes int
	}{
		{idcard.OpFind, 0x9F, 4}, {idcard.OpSelect, 0x90, 8}, {idcard.OpReadBase, 0x90, 4 + 256 + 1024},
		{idcard.OpFind, 0x80, 0}, {idcard.OpReadNewestAddress, 0x91, 0},
	} {
		if r := cmd(step.op); r.SW3 != step.sw3 || len(r.Data) != step.bytes {
			t.Errorf("%v: SW3 %02X with %d bytes, want %02X with %d", step.op, r.SW3, len(r.Data), step.sw3, step.bytes)
		}
	}
	sim.Remove()
	if r := cmd(idcard.OpFind); r.SW3 != 0x80 {
		t.Errorf("find after removal: %02X", r.SW3)
	}
	sim.Place(c)
	if r := cmd(idcard.OpFind); r.SW3 != 0x9F {
		t.Errorf("find after placing again: %02X", r.SW3)
	}
	// A read that fails leaves the card to be lifted and replaced.
	cmd(idcard.OpSelect)
	sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Op: idcard.OpReadBase, Status: 0x41, Times: 1})
	if r := cmd(idcard.OpReadBase); r.SW3 != 0x41 {
		t.Errorf("read with a fault: %02X", r.SW3)
	}
	if r := cmd(idcard.OpFind); r.SW3 != 0x80 {
		t.Errorf("find after a failed read: %02X, want 80", r.SW3)
	}
	if n := sim.Count(idcard.OpFind); n != 5 {
		t.Errorf("Count(find) = %d, want 5", n)
	}
}

// TestFaultTimes: a fault with Times spoils that many answers, then stops.
func TestFaultTimes(t *testing.T) {
	sim := idcardsim.New(nil)
	port := open(t, sim)
	dec := idcard.NewDecoder(port)
	sim.SetFault(idcardsim.Fault{Kind: idcardsim.FaultStatus, Status: 0x24, Times: 2})
	reset, _ := idcard.Command{Op: idcard.OpReset}.MarshalBinary()
	var got []byte
	for range 4 {
		got = append(got, exchange(t, port, dec, reset).SW3)
	}
	if !bytes.Equal(got, []byte{0x24, 0x24, 0x90, 0x90}) {
		t.Errorf("SW3 % X, want 24 24 90 90", got)
	}
}

// TestWireTime: with Baud set, an answer takes its wire time to arrive.
// Not a speed assertion: a lower bound the emulation must honour.
func TestWireTime(t *testing.T) {
	sim := idcardsim.New(&idcardsim.Opts{Baud: 9600})
	port := open(t, sim)
	dec := idcard.NewDecoder(port)
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	sim.Place(c)
	for _, op := range []idcard.Op{idcard.OpFind, idcard.OpSelect} {
		b, _ := idcard.Command{Op: op}.MarshalBinary()
		exchange(t, port, dec, b)
	}
	b, _ := idcard.Command{Op: idcard.OpReadBase}.MarshalBinary()
	start := time.Now()
	exchange(t, port, dec, b)
	if took, wire := time.Since(start), idcard.WireTime(10+1295, 9600); took < wire {
		t.Errorf("read answer arrived after %v, before its wire time %v", took, wire)
	}
}

func TestEncodeTextErrors(t *testing.T) {
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	id := c.Identity
	id.Name = strings.Repeat("测", 16) // 15 characters fit in 30 bytes
	if _, err := idcardsim.EncodeText(id); err == nil {
		t.Error("a 16-character name was encoded")
	}
	id.Type = 'Z'
	if _, err := idcardsim.EncodeText(id); err == nil {
		t.Error("an unknown card type was encoded")
	}
}

// TestCards: the ready cards are synthetic and valid: every type, an
// elderly holder, an expired card, numbers that pass MOD 11-2.
func TestCards(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, idcard.ChinaTime())
	types := map[idcard.CardType]bool{}
	var elderly, expired bool
	for _, c := range idcardsim.Cards() {
		text, err := idcardsim.EncodeText(c.Identity)
		if err != nil {
			t.Fatalf("%s: %v", c.Label, err)
		}
		id, err := idcard.ParseText(text)
		if err != nil {
			t.Fatalf("%s: %v", c.Label, err)
		}
		types[id.Type] = true
		elderly = elderly || id.Age(now) >= 70
		expired = expired || id.Expired(now)
		if id.Type != idcard.CardForeign2017 {
			if err := idcard.ValidateIDNumber(id.Number); err != nil {
				t.Errorf("%s: %v", c.Label, err)
			}
		}
	}
	if len(types) != 4 || !elderly || !expired {
		t.Errorf("types %v, elderly %v, expired %v", types, elderly, expired)
	}
	if _, ok := idcardsim.CardByLabel("nobody"); ok {
		t.Error("CardByLabel found a card that is not there")
	}
}

// TestServeStops: Serve returns nil when its context ends and when the host
// closes its end.
func TestServeStops(t *testing.T) {
	sim := idcardsim.New(nil)
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("PTY.Close: %v", err)
	}

	hr, dw, _ := os.Pipe()
	dr, hw, _ := os.Pipe()
	defer hr.Close()
	defer dr.Close()
	defer dw.Close()
	done := make(chan error, 1)
	go func() {
		done <- sim.Serve(context.Background(), struct {
			io.Reader
			io.Writer
		}{dr, dw})
	}()
	hw.Close() // the host goes away
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, io.EOF) {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}
