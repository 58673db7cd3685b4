package panel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Button is a push button bound to the service it takes a ticket for.
type Button struct {
	Pin       gpio.PinIn
	ServiceID string
}

// Opts configures a Panel. Every device is optional; zero durations mean
// the defaults shown.
type Opts struct {
	Buttons []Button
	LED     gpio.PinOut // status LED, lit by High
	Buzzer  gpio.PinOut // active buzzer, sounding on High
	// Debounce is how long a button's level must stay unchanged after an
	// edge before it counts: contacts bounce for a few milliseconds. 30 ms.
	Debounce time.Duration
	Blink    time.Duration // half-period of the LED's fault blinking; 500 ms
	Beep     time.Duration // length of a beep; 80 ms
	// Poll bounds each wait for a button edge, so Run notices its end;
	// 250 ms.
	Poll   time.Duration
	Logger *slog.Logger // nil: discard
}

// Panel runs the buttons, the LED and the buzzer. Fault and CardRead may
// be called from any goroutine (it is a kiosk.Signals) and never block.
type Panel struct {
	opts  Opts
	log   *slog.Logger
	fault chan bool
	beeps chan int // beeps to sound in a row

	mu      sync.Mutex
	faulted bool
	ready   bool // the kiosk was ready once: faults from then on beep
}

// New returns a panel; it does nothing until Run.
func New(opts Opts) (*Panel, error) {
	for _, b := range opts.Buttons {
		if b.Pin == nil || b.ServiceID == "" {
			return nil, errors.New("panel: a button needs a pin and a service")
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.Debounce, 30*time.Millisecond)
	def(&opts.Blink, 500*time.Millisecond)
	def(&opts.Beep, 80*time.Millisecond)
	def(&opts.Poll, 250*time.Millisecond)
	p := &Panel{opts: opts, log: opts.Logger, fault: make(chan bool, 1), beeps: make(chan int, 4)}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Fault sets the LED blinking (true) or steady (false). The start of a
// fault beeps three times, unless the kiosk was never ready yet (it is
// starting: the reader and the hall are being reached).
func (p *Panel) Fault(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !on {
		p.ready = true
	}
	if on == p.faulted {
		return
	}
	p.faulted = on
	// Only the latest state matters: replace one the LED has not taken.
	select {
	case <-p.fault:
	default:
	}
	p.fault <- on
	if on && p.ready {
		p.beep(3)
	}
}

// CardRead beeps once.
func (p *Panel) CardRead() { p.beep(1) }

func (p *Panel) beep(n int) {
	select {
	case p.beeps <- n:
	default: // the buzzer is busy enough
	}
}

// Run sets the pins up and runs the panel until ctx ends: each press of a
// button calls press with its service (from the button's goroutine; press
// should not block long). It returns nil when ctx ends, with the LED and
// the buzzer off, or the error of a pin that cannot be set up.
func (p *Panel) Run(ctx context.Context, press func(serviceID string)) error {
	for _, b := range p.opts.Buttons {
		if err := b.Pin.In(gpio.PullUp, gpio.BothEdges); err != nil {
			return fmt.Errorf("panel: button %s: %w", b.Pin, err)
		}
	}
	var wg sync.WaitGroup
	for _, b := range p.opts.Buttons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.watch(ctx, b, press)
		}()
	}
	if p.opts.LED != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.led(ctx)
		}()
	}
	if p.opts.Buzzer != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.buzzer(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// watch reports the presses of one button. After an edge it waits until
// the pin has been quiet for Debounce and then reads the level: the
// bounces of one press make one press, and a press counts once until the
// button is released.
func (p *Panel) watch(ctx context.Context, b Button, press func(string)) {
	pressed := false
	for ctx.Err() == nil {
		if !b.Pin.WaitForEdge(p.opts.Poll) {
			continue
		}
		for b.Pin.WaitForEdge(p.opts.Debounce) {
			// still bouncing
		}
		down := b.Pin.Read() == gpio.Low
		if down && !pressed && ctx.Err() == nil {
			p.log.Info("panel: button pressed", "pin", b.Pin.Name(), "service", b.ServiceID)
			press(b.ServiceID)
		}
		pressed = down
	}
}

// led keeps the LED steady while the kiosk is ready and blinks it on a
// fault.
func (p *Panel) led(ctx context.Context) {
	out := func(l gpio.Level) {
		if err := p.opts.LED.Out(l); err != nil {
			p.log.Warn("panel: LED", "err", err)
		}
	}
	defer out(gpio.Low)
	fault, lit := false, true
	out(gpio.High)
	var blink *time.Ticker
	var tick <-chan time.Time
	defer func() {
		if blink != nil {
			blink.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-p.fault:
			if f == fault {
				continue
			}
			fault = f
			if blink != nil {
				blink.Stop()
				blink, tick = nil, nil
			}
			if fault {
				blink = time.NewTicker(p.opts.Blink)
				tick = blink.C
			}
			lit = true
			out(gpio.High)
		case <-tick:
			lit = !lit
			out(gpio.Level(lit))
		}
	}
}

// buzzer sounds the beeps asked for.
func (p *Panel) buzzer(ctx context.Context) {
	out := func(l gpio.Level) {
		if err := p.opts.Buzzer.Out(l); err != nil {
			p.log.Warn("panel: buzzer", "err", err)
		}
	}
	out(gpio.Low)
	defer out(gpio.Low)
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-p.beeps:
			for i := 0; i < n; i++ {
				out(gpio.High)
				ok := wait(p.opts.Beep)
				out(gpio.Low)
				if !ok || (i < n-1 && !wait(p.opts.Beep)) {
					return
				}
			}
		}
	}
}
