package escpos

import (
	"testing"
)

func TestStatusReplyBits(t *testing.T) {
	// Values from docs/escpos.md.
	tests := []struct {
		kind StatusKind
		b    byte
		want Status
	}{
		{PrinterStatus, 0x12, Status{}},
		{PrinterStatus, 0x1A, Status{Offline: true}},
		{PrinterStatus, 0x32, Status{WaitingOnline: true}},
		{PrinterStatus, 0x52, Status{FeedButton: true}},
		{OfflineCause, 0x16, Status{CoverOpen: true}},
		{OfflineCause, 0x1A, Status{PaperFeeding: true}},
		{OfflineCause, 0x32, Status{PaperOut: true}},
		{OfflineCause, 0x52, Status{ErrorOccurred: true}},
		{ErrorCause, 0x1A, Status{CutterError: true}},
		{ErrorCause, 0x32, Status{Unrecoverable: true}},
		{ErrorCause, 0x52, Status{AutoRecoverable: true}},
		{PaperStatus, 0x1E, Status{PaperNearEnd: true}},
		{PaperStatus, 0x72, Status{PaperOut: true}},
		{PaperStatus, 0x7E, Status{PaperNearEnd: true, PaperOut: true}},
	}
	for _, tt := range tests {
		if !IsStatusReply(tt.b) {
			t.Errorf("%#x is not recognised as a status reply", tt.b)
		}
		var s Status
		s.Apply(tt.kind, tt.b)
		if s != tt.want {
			t.Errorf("Apply(%d, %#x) = %+v, want %+v", tt.kind, tt.b, s, tt.want)
		}
		if got := tt.want.Reply(tt.kind); got != tt.b {
			t.Errorf("%+v.Reply(%d) = %#x, want %#x", tt.want, tt.kind, got, tt.b)
		}
	}
}

// allStatuses enumerates every combination of the Status flags.
func allStatuses() []Status {
	var out []Status
	for m := 0; m < 1<<11; m++ {
		bit := func(i int) bool { return m&(1<<i) != 0 }
		out = append(out, Status{
			Offline: bit(0), WaitingOnline: bit(1), FeedButton: bit(2), CoverOpen: bit(3),
			PaperFeeding: bit(4), ErrorOccurred: bit(5), CutterError: bit(6), Unrecoverable: bit(7),
			AutoRecoverable: bit(8), PaperNearEnd: bit(9), PaperOut: bit(10),
		})
	}
	return out
}

func TestStatusRoundTrip(t *testing.T) {
	for _, s := range allStatuses() {
		var got Status
		for k := PrinterStatus; k <= PaperStatus; k++ {
			b := s.Reply(k)
			if !IsStatusReply(b) || b == XON || b == XOFF || IsASBHeader(b) || IsASBTrailer(b) {
				t.Fatalf("reply %#x for %+v is ambiguous", b, s)
			}
			got.Apply(k, b)
		}
		if got != s {
			t.Fatalf("round trip through DLE EOT: %+v, want %+v", got, s)
		}
		// ASB carries a subset.
		asb := s.ASB()
		if !IsASBHeader(asb[0]) || !IsASBTrailer(asb[1]) || !IsASBTrailer(asb[2]) || !IsASBTrailer(asb[3]) {
			t.Fatalf("ASB % x for %+v breaks the fixed bits", asb, s)
		}
		var a Status
		a.ApplyASB(asb)
		want := Status{Offline: s.Offline, CoverOpen: s.CoverOpen, FeedButton: s.FeedButton,
			CutterError: s.CutterError, Unrecoverable: s.Unrecoverable, AutoRecoverable: s.AutoRecoverable,
			PaperNearEnd: s.PaperNearEnd, PaperOut: s.PaperOut}
		if a != want {
			t.Fatalf("round trip through ASB: %+v, want %+v", a, want)
		}
	}
}
