package speech_test

import (
	"testing"

	"yiting/queue/speech"
)

func TestNumber(t *testing.T) {
	for in, want := range map[string]string{"A012": "ei1 ling2 yi1 er4", "Z1000": "zei4 yi1 ling2 ling2 ling2"} {
		if got, err := speech.Number(in); err != nil || got != want {
			t.Errorf("Number(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a012", "A12", "A012 ", "AB12", "A0123456789"} {
		if _, err := speech.Number(bad); err == nil {
			t.Errorf("Number(%q) accepted", bad)
		}
	}
}

func TestClean(t *testing.T) {
	if got, ok := speech.Clean("  San1 Hao4  chuang1 kou3 "); !ok || got != "san1 hao4 chuang1 kou3" {
		t.Errorf("Clean: %q %v", got, ok)
	}
	for _, bad := range []string{"", "三号窗口", "san1; rm", "-w /tmp/x", "san6"} {
		if _, ok := speech.Clean(bad); ok {
			t.Errorf("Clean(%q) accepted", bad)
		}
	}
}
