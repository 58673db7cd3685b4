package kiosk

import (
	"time"
)

// View is the kiosk's state as the touchscreen page renders it, sent as
// JSON over the page's event stream on every change. It carries masked
// names only, never an ID number.
type View struct {
	Seq      uint64    `json:"seq"` // grows with every change
	Step     Step      `json:"step"`
	Since    time.Time `json:"since"`             // when the step began
	Deadline time.Time `json:"deadline,omitzero"` // when the step returns by itself
	// Message is the main line for the visitor.
	Message string `json:"message"`
	// Retrying is set while the hall cannot be reached and the ticket is
	// being asked for again: 系统维护中，请稍候.
	Retrying bool         `json:"retrying,omitempty"`
	Service  *ServiceView `json:"service,omitempty"` // the service chosen
	Visitor  *VisitorView `json:"visitor,omitempty"` // the card read
	Group    *GroupView   `json:"group,omitempty"`   // in step group
	Ticket   *TicketView  `json:"ticket,omitempty"`  // in step ticket
	Error    *ErrorView   `json:"error,omitempty"`   // in step error
	Inquiry  *InquiryView `json:"inquiry,omitempty"` // in step cases
	Hall     HallView     `json:"hall"`
	Menu     []Category   `json:"menu"`
	Devices  Devices      `json:"devices"`
}

// ServiceView is the service chosen.
type ServiceView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	NeedsID bool   `json:"needs_id"`
	// Group: the service offers 多人来访（集体访）, Loop.GroupVisit.
	Group bool `json:"group,omitempty"`
}

// GroupView is a group visit while its representatives tap their cards.
type GroupView struct {
	Names []string `json:"names"`          // the representatives so far, masked, in order
	Max   int      `json:"max"`            // MaxRepresentatives
	Note  string   `json:"note,omitempty"` // why the last card was refused
}

// VisitorView is what the screen may show of the card read.
type VisitorView struct {
	MaskedName string `json:"masked_name"`        // 王*明
	Priority   string `json:"priority,omitempty"` // the priority class's name: 老年人
}

// TicketView is the ticket on screen.
type TicketView struct {
	ID      uint64 `json:"id"`
	Number  string `json:"number"` // A012
	Service string `json:"service"`
	Counter string `json:"counter,omitempty"` // where to go: 3号窗口
	// CounterPinyin is the configured pinyin of the counters Counter
	// names (none when it names a place), for the kiosk's voice
	// (kioskweb); not sent to the page.
	CounterPinyin []string  `json:"-"`
	Location      string    `json:"location,omitempty"` // where that is
	Ahead         int       `json:"ahead"`
	Priority      string    `json:"priority,omitempty"` // 老年人
	Note          string    `json:"note,omitempty"`     // 首访负责：请到3号窗口
	Issued        time.Time `json:"issued"`
	Printed       bool      `json:"printed"`
	// PrintProblem says why the ticket was not printed (打印机缺纸…), for
	// staff; the visitor reads Message.
	PrintProblem string `json:"print_problem,omitempty"`
	Replayed     bool   `json:"replayed,omitempty"`
}

// ErrorView is a failure shown to the visitor.
type ErrorView struct {
	Code    string `json:"code"` // ErrCode…
	Message string `json:"message"`
}

// HallView is the hall as the kiosk last reached it.
type HallView struct {
	Name string `json:"name"`
	Day  string `json:"day,omitempty"`
	// OK is false while the hall cannot be reached; Message says so.
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	// Duty is who receives today (HallInfo.Duty).
	Duty []string `json:"duty,omitempty"`
	// Appointments: the menu offers 预约签到.
	Appointments bool `json:"appointments,omitempty"`
	// CodeDigits is how many characters the hall's case codes have
	// without dashes: 19, or 22 at a township (a 9-digit region), for the
	// code keypad of 查询进度.
	CodeDigits int `json:"code_digits"`
}

// Category is one top-level button of the menu: 信访接待, 矛盾纠纷调解 …
type Category struct {
	ID     string      `json:"id"` // queue.Category
	Title  string      `json:"title"`
	Groups []MenuGroup `json:"groups"`
}

// MenuGroup is a heading within a category (涉法涉诉, 部门事项); the first
// group of a category may have no title.
type MenuGroup struct {
	Title    string        `json:"title,omitempty"`
	Services []MenuService `json:"services"`
}

// MenuService is one service button.
type MenuService struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Waiting int    `json:"waiting"`
	NeedsID bool   `json:"needs_id"`
	Note    string `json:"note,omitempty"` // who receives today, for a duty-only service
}

// Devices are the kiosk's devices as staff need to see them.
type Devices struct {
	Reader  DeviceStatus  `json:"reader"`
	Printer PrinterStatus `json:"printer"`
}

// DeviceStatus is whether a device works, and what is wrong if not.
type DeviceStatus struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	// Duty is who receives today (HallInfo.Duty).
	Duty []string `json:"duty,omitempty"`
	// Appointments: the menu offers 预约签到.
	Appointments bool `json:"appointments,omitempty"`
}

// PrinterStatus is the printer's state for staff: a fault (缺纸, 盖未关好 …)
// with the tickets waiting to be printed when it is fixed, or a warning
// that does not stop printing (纸将用完).
type PrinterStatus struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	Warning string `json:"warning,omitempty"`
	Pending int    `json:"pending"` // tickets kept for printing later
}

// Fault reports whether the kiosk cannot serve every visitor: the
// reader or printer is faulty or the hall cannot be reached. The status
// LED blinks then.
func (v View) Fault() bool {
	return !v.Devices.Reader.OK || !v.Devices.Printer.OK || !v.Hall.OK
}
