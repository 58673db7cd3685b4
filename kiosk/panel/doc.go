// Package panel drives the kiosk's optional GPIO panel with periph.io: push
// buttons bound to services (a visitor who cannot use the touchscreen
// presses one), a status LED (steady when the kiosk is ready, blinking on a
// fault) and a buzzer (a short beep when a card is read, three when a fault
// begins: the printer needs paper, the reader is gone).
//
// The package takes pins (gpio.PinIn, gpio.PinOut) and never looks them up
// or initialises the host: cmd/ calls host.Init and gpioreg.ByName. Buttons
// are wired between the pin and ground and read with the pin's pull-up:
// pressed is Low. Tests use periph's gpiotest fakes.
package panel
