package kiosk

import (
	"fmt"
)

// Step is where the kiosk stands with the visitor in front of it.
type Step int

// The steps. A visitor goes idle → wait_card → reading → issuing → printing
// → ticket → idle, or idle → choose (card first) → issuing → …; error shows a
// failure until 返回 or its timeout. A group visit goes idle or wait_card →
// group (the representatives' cards, one after another) → 完成 → issuing → ….
const (
	StepIdle      Step = iota // the service menu; a card may be placed first
	StepWaitCard              // a service that needs an ID card was chosen: 请将身份证放在感应区
	StepReading               // a card is on the reader and being read
	StepChoose                // a card was read first: choose the service
	StepIssuing               // the hall is numbering the ticket (retried while unreachable)
	StepPrinting              // the ticket goes to the printer
	StepTicket                // the ticket is shown, printed or not
	StepError                 // something failed: the message says what to do
	StepGroup                 // a group visit: up to 5 representatives tap their cards, then 完成
	StepInquiry               // 查询进度: waiting for a card or a case code
	StepInquiring             // the hall is looking the cases up
	StepCases                 // the cases found, until 返回 or the timeout
	StepCheckIn               // 预约签到: waiting for a card or a booking code (then issuing → printing → ticket)
)

var stepNames = [...]string{"idle", "wait_card", "reading", "choose", "issuing", "printing", "ticket", "error", "group", "inquiry", "inquiring", "cases", "checkin"}

// String returns the step's name as the page and the logs use it.
func (s Step) String() string {
	if s >= 0 && int(s) < len(stepNames) {
		return stepNames[s]
	}
	return fmt.Sprintf("Step(%d)", int(s))
}

// MarshalText makes a step its name in JSON.
func (s Step) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(stepNames) {
		return nil, fmt.Errorf("kiosk: no step %d", int(s))
	}
	return []byte(stepNames[s]), nil
}

// UnmarshalText reads a step's name.
func (s *Step) UnmarshalText(b []byte) error {
	for i, n := range stepNames {
		if n == string(b) {
			*s = Step(i)
			return nil
		}
	}
	return fmt.Errorf("kiosk: no step %q", b)
}
