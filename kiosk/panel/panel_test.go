package panel_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"yiting/kiosk/panel"
)

// outPin records the levels written to an output.
type outPin struct {
	gpiotest.Pin
	mu     sync.Mutex
	levels []gpio.Level
	ch     chan gpio.Level
}

func newOut(name string) *outPin {
	return &outPin{Pin: gpiotest.Pin{N: name}, ch: make(chan gpio.Level, 256)}
}

func (p *outPin) Out(l gpio.Level) error {
	p.mu.Lock()
	p.levels = append(p.levels, l)
	p.mu.Unlock()
	select {
	case p.ch <- l:
	default:
	}
	return p.Pin.Out(l)
}

func (p *outPin) next(t *testing.T) gpio.Level {
	t.Helper()
	select {
	case l := <-p.ch:
		return l
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no output", p.N)
	}
	return gpio.Low
}

// expect reads the next n levels.
func (p *outPin) expect(t *testing.T, want ...gpio.Level) {
	t.Helper()
	for i, w := range want {
		if got := p.next(t); got != w {
			t.Fatalf("%s: level %d is %v, want %v", p.N, i, got, w)
		}
	}
}

func inPin(name string) *gpiotest.Pin {
	return &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level)}
}

func run(t *testing.T, opts panel.Opts) (*panel.Panel, chan string) {
	t.Helper()
	p, err := panel.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	presses := make(chan string, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(s string) { presses <- s }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return p, presses
}

// edges drives a button's pin; each level is an edge.
func edges(t *testing.T, pin *gpiotest.Pin, levels ...gpio.Level) {
	t.Helper()
	for _, l := range levels {
		select {
		case pin.EdgesChan <- l:
		case <-time.After(5 * time.Second):
			t.Fatal("the panel does not watch the button")
		}
	}
}

// next is the next press, or a failure after a while (never a hang).
func next(t *testing.T, presses chan string) string {
	t.Helper()
	select {
	case s := <-presses:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no press")
		return ""
	}
}

// A press that bounces is one press; holding it is still one; the next
// press after a release is another. The test sends a bounce's edges one
// after the other; the debounce window is wide enough that a busy machine
// (CI under load) does not stretch them into separate presses.
func TestButtonDebounce(t *testing.T) {
	consult := inPin("GPIO5")
	petition := inPin("GPIO6")
	const debounce = 150 * time.Millisecond
	_, presses := run(t, panel.Opts{
		Buttons:  []panel.Button{{Pin: consult, ServiceID: "consult"}, {Pin: petition, ServiceID: "petition"}},
		Debounce: debounce,
		Poll:     20 * time.Millisecond,
	})
	edges(t, consult, gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low) // bounce, then held down
	if s := next(t, presses); s != "consult" {
		t.Fatalf("press %q", s)
	}
	edges(t, consult, gpio.Low)                       // a glitch while held: still the same press
	edges(t, consult, gpio.High, gpio.Low, gpio.High) // released, with bounce
	edges(t, petition, gpio.Low)
	if s := next(t, presses); s != "petition" {
		t.Fatalf("press %q, want petition", s)
	}
	// The release settles one window after its last edge, the moment the
	// petition press (the same window) is reported: a press of consult
	// sent at once may land inside the release's window on a slow machine
	// (seen under emulation) and be taken for its bounce, as it should.
	time.Sleep(debounce)
	edges(t, consult, gpio.Low)
	if s := next(t, presses); s != "consult" {
		t.Fatalf("press %q, want consult again", s)
	}
	select {
	case s := <-presses:
		t.Errorf("an extra press of %s", s)
	case <-time.After(300 * time.Millisecond):
	}
	if consult.Pull() != gpio.PullUp {
		t.Errorf("button pull %v, want up", consult.Pull())
	}
}

// The LED is steady when ready and blinks on a fault; the start of a fault
// beeps three times, a card read once.
func TestLEDAndBuzzer(t *testing.T) {
	led, buzzer := newOut("GPIO17"), newOut("GPIO27")
	p, _ := run(t, panel.Opts{LED: led, Buzzer: buzzer, Blink: 10 * time.Millisecond, Beep: 5 * time.Millisecond})
	led.expect(t, gpio.High)
	buzzer.expect(t, gpio.Low)

	p.CardRead()
	buzzer.expect(t, gpio.High, gpio.Low)

	p.Fault(false) // ready
	p.Fault(true)
	p.Fault(true) // no second alarm
	led.expect(t, gpio.High, gpio.Low, gpio.High, gpio.Low)
	buzzer.expect(t, gpio.High, gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low)

	p.Fault(false)
	// Steady again: the LED settles on High and stays there.
	if l := led.settle(t, 60*time.Millisecond); l != gpio.High {
		t.Errorf("LED settled %v after the fault", l)
	}
	select {
	case l := <-buzzer.ch:
		t.Errorf("the end of a fault sounded the buzzer: %v", l)
	default:
	}
}

// settle reads levels until none comes for quiet and returns the last.
func (p *outPin) settle(t *testing.T, quiet time.Duration) gpio.Level {
	t.Helper()
	last := p.Read()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case last = <-p.ch:
		case <-time.After(quiet):
			return last
		case <-deadline:
			t.Fatalf("%s keeps changing", p.N)
		}
	}
}

// At start the kiosk is not ready until it reaches the reader and the
// hall: the LED blinks, but the buzzer stays quiet.
func TestNoAlarmWhileStarting(t *testing.T) {
	led, buzzer := newOut("GPIO17"), newOut("GPIO27")
	p, _ := run(t, panel.Opts{LED: led, Buzzer: buzzer, Blink: 10 * time.Millisecond, Beep: 5 * time.Millisecond})
	p.Fault(true)
	led.expect(t, gpio.High, gpio.High, gpio.Low, gpio.High)
	p.Fault(false)
	if l := led.settle(t, 60*time.Millisecond); l != gpio.High {
		t.Errorf("LED settled %v", l)
	}
	buzzer.expect(t, gpio.Low) // switched off at start, and nothing since
	select {
	case l := <-buzzer.ch:
		t.Errorf("a fault while starting sounded the buzzer: %v", l)
	default:
	}
}

func TestStopTurnsOff(t *testing.T) {
	led, buzzer := newOut("GPIO17"), newOut("GPIO27")
	p, err := panel.New(panel.Opts{LED: led, Buzzer: buzzer})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, func(string) {}) }()
	led.expect(t, gpio.High)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if led.Read() != gpio.Low || buzzer.Read() != gpio.Low {
		t.Errorf("after stop: LED %v, buzzer %v", led.Read(), buzzer.Read())
	}
}

func TestNewChecksButtons(t *testing.T) {
	if _, err := panel.New(panel.Opts{Buttons: []panel.Button{{ServiceID: "x"}}}); err == nil {
		t.Error("a button without a pin")
	}
	if _, err := panel.New(panel.Opts{Buttons: []panel.Button{{Pin: inPin("GPIO5")}}}); err == nil {
		t.Error("a button without a service")
	}
	// A button pin that cannot detect edges fails Run.
	p, _ := panel.New(panel.Opts{Buttons: []panel.Button{{Pin: &gpiotest.Pin{N: "GPIO9"}, ServiceID: "x"}}})
	if err := p.Run(context.Background(), func(string) {}); err == nil {
		t.Error("Run with an unusable pin")
	}
}
