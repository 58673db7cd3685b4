package idcard

import (
	"errors"
	"fmt"
	"log/slog"
)

// ErrExpired is the error of an EventExpired: the card's validity has ended.
var ErrExpired = errors.New("idcard: the card has expired")

// EventKind says what happened at the reader.
type EventKind int

// The events a Reader delivers.
const (
	// EventReady: the port is open and the SAM healthy; SAMID is set. After
	// an EventOffline, Reconnected is true.
	EventReady EventKind = iota + 1
	// EventCard: a card was placed and read; Identity is set.
	EventCard
	// EventExpired: a card was placed and read but has expired; Identity is
	// set and Err wraps ErrExpired. The kiosk decides what to do.
	EventExpired
	// EventUnreadable: a card is on the reader but did not read (select or
	// read failed, a damaged or missing answer, a text that does not parse);
	// Err says why. The visitor must lift the card and place it again.
	// Delivered once per placement.
	EventUnreadable
	// EventOffline: the reader is unusable — disconnected, silent, or its
	// SAM failed; Err says why. The Reader reconnects with backoff and
	// delivers EventReady when it is back.
	EventOffline
	// EventReading: a card was just placed and is being read, which takes
	// one to three seconds on a real reader; EventCard, EventExpired or
	// EventUnreadable follows. The kiosk says 请不要移动 meanwhile.
	EventReading
)

// String names the kind, for logs.
func (k EventKind) String() string {
	switch k {
	case EventReady:
		return "ready"
	case EventCard:
		return "card"
	case EventExpired:
		return "expired"
	case EventUnreadable:
		return "unreadable"
	case EventOffline:
		return "offline"
	case EventReading:
		return "reading"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is what a Reader delivers. Printing or logging it masks the
// identity.
type Event struct {
	Kind        EventKind
	Identity    *Identity // EventCard, EventExpired
	SAMID       SAMID     // EventReady
	Reconnected bool      // EventReady after an EventOffline
	Err         error     // EventExpired, EventUnreadable, EventOffline
}

// Message returns what the kiosk should tell the visitor, in Chinese.
func (e Event) Message() string {
	switch e.Kind {
	case EventReady:
		return "请将身份证放在读卡区"
	case EventCard:
		return "读卡成功"
	case EventExpired:
		return "您的证件已过期，请到服务窗口办理"
	case EventUnreadable:
		return "未能读取证件，请拿起后重新放置"
	case EventOffline:
		return "读卡器暂不可用，请联系工作人员"
	}
	return ""
}

// String summarises the event with the identity masked.
func (e Event) String() string {
	s := e.Kind.String()
	if e.Kind == EventReady {
		s += " SAM " + e.SAMID.String()
	}
	if e.Identity != nil {
		s += " " + e.Identity.String()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// GoString returns String, so %#v masks too.
func (e Event) GoString() string { return e.String() }

// LogValue logs the event with the identity masked.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", e.Kind.String())}
	if e.Kind == EventReady {
		attrs = append(attrs, slog.String("sam", e.SAMID.String()), slog.Bool("reconnected", e.Reconnected))
	}
	if e.Identity != nil {
		attrs = append(attrs, slog.Any("identity", *e.Identity))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}
