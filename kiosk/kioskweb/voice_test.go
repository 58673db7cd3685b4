package kioskweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"yiting/kiosk"
	"yiting/kiosk/kioskweb"
	"yiting/queue/speech"
)

// fakeSpeaker records the pinyin it was asked to say; absent: its
// program is not installed now.
type fakeSpeaker struct {
	mu     sync.Mutex
	said   []string
	absent bool
}

func (s *fakeSpeaker) Synthesize(ctx context.Context, pinyin string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.absent {
		return nil, speech.ErrNotInstalled
	}
	s.said = append(s.said, pinyin)
	return []byte("RIFF fake wav"), nil
}

func (s *fakeSpeaker) Available() bool { s.mu.Lock(); defer s.mu.Unlock(); return !s.absent }

func (s *fakeSpeaker) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.said) == 0 {
		return ""
	}
	return s.said[len(s.said)-1]
}

// The kiosk's prompts in the machine's voice (issue 13, item 19): a key
// says its fixed prompt, "ticket" the ticket on screen with its number
// and window; nothing the page sends but the key reaches the voice; no
// voice or no pinyin is 404 (the page then uses the browser's voice);
// only the kiosk itself may ask.
func TestVoice(t *testing.T) {
	loop := newFakeLoop()
	sp := &fakeSpeaker{}
	h, err := kioskweb.New(kioskweb.Opts{Loop: loop, Speech: sp})
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Server  bool              `json:"server"`
		Prompts map[string]string `json:"prompts"`
	}
	if err := json.Unmarshal(do(h, "GET", "/kiosk/speech", "", nil).Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if !info.Server || info.Prompts["wait_card"] != kiosk.MsgWaitCard || info.Prompts[kiosk.ErrCodeExpired] != kiosk.MsgExpired {
		t.Errorf("/kiosk/speech: %+v", info)
	}
	w := do(h, "GET", "/kiosk/voice.wav?say=wait_card", "", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "audio/wav" || sp.last() != "qing3 jiang1 shen1 fen4 zheng4 fang4 zai4 gan3 ying4 qu1" {
		t.Errorf("wait_card: %d %q, said %q", w.Code, w.Header().Get("Content-Type"), sp.last())
	}
	for _, c := range []struct {
		query string
		code  int
	}{
		{"say=qing3", 400},  // pinyin of the page's own never reaches the voice
		{"say=", 400},       //
		{"say=ticket", 404}, // no ticket on screen
	} {
		if w := do(h, "GET", "/kiosk/voice.wav?"+c.query, "", nil); w.Code != c.code {
			t.Errorf("%s: %d, want %d", c.query, w.Code, c.code)
		}
	}
	if w := do(h, "GET", "/kiosk/voice.wav?say=menu", "", func(r *http.Request) { r.RemoteAddr = "192.168.1.50:5000" }); w.Code != 403 {
		t.Errorf("from another machine: %d", w.Code)
	}

	// The ticket on screen: its number letter by letter, the counters it
	// names, and to take the ticket.
	loop.mu.Lock()
	loop.view.Step, loop.view.Message = kiosk.StepTicket, kiosk.MsgTakeTicket
	loop.view.Ticket = &kiosk.TicketView{ID: 7, Number: "A012", Counter: "3号窗口、5号窗口", CounterPinyin: []string{"san1 hao4 chuang1 kou3", "Wu3 hao4  chuang1 kou3"}, Printed: true}
	loop.mu.Unlock()
	if w := do(h, "GET", "/kiosk/voice.wav?say=ticket", "", nil); w.Code != 200 {
		t.Fatalf("ticket: %d %s", w.Code, w.Body)
	}
	if want := "nin2 de5 hao4 ma3 shi4 ei1 ling2 yi1 er4 qing3 dao4 san1 hao4 chuang1 kou3 huo4 wu3 hao4 chuang1 kou3 qing3 qu3 zou3 ping2 tiao2 liu2 yi4 jiao4 hao4"; sp.last() != want {
		t.Errorf("ticket said %q\nwant %q", sp.last(), want)
	}
	// A counter without pinyin: the browser says the sentence.
	loop.mu.Lock()
	loop.view.Ticket.CounterPinyin = []string{"san1 hao4 chuang1 kou3", ""}
	loop.mu.Unlock()
	if w := do(h, "GET", "/kiosk/voice.wav?say=ticket", "", nil); w.Code != 404 || !strings.Contains(w.Body.String(), "no_pinyin") {
		t.Errorf("a counter without pinyin: %d %s", w.Code, w.Body)
	}

	// espeak-ng removed: 404, and /speech says so.
	sp.mu.Lock()
	sp.absent = true
	sp.mu.Unlock()
	if w := do(h, "GET", "/kiosk/voice.wav?say=menu", "", nil); w.Code != 404 || !strings.Contains(w.Body.String(), "no_voice") {
		t.Errorf("no voice: %d %s", w.Code, w.Body)
	}
	json.Unmarshal(do(h, "GET", "/kiosk/speech", "", nil).Body.Bytes(), &info)
	if info.Server {
		t.Error("/kiosk/speech offers a voice that is not installed")
	}
	// Without a Speaker at all: the browser's voice.
	bare := newHandler(t, newFakeLoop(), nil, nil)
	if w := do(bare, "GET", "/kiosk/voice.wav?say=menu", "", nil); w.Code != 404 {
		t.Errorf("no Speaker: %d", w.Code)
	}
}

// Every prompt has pinyin the synthesizer accepts.
func TestPromptsPinyin(t *testing.T) {
	loop := newFakeLoop()
	sp := &fakeSpeaker{}
	h, _ := kioskweb.New(kioskweb.Opts{Loop: loop, Speech: sp})
	var info struct {
		Prompts map[string]string `json:"prompts"`
	}
	json.Unmarshal(do(h, "GET", "/kiosk/speech", "", nil).Body.Bytes(), &info)
	if len(info.Prompts) < 10 {
		t.Fatalf("only %d prompts", len(info.Prompts))
	}
	for key := range info.Prompts {
		if w := do(h, "GET", "/kiosk/voice.wav?say="+key, "", nil); w.Code != 200 {
			t.Errorf("%s: %d", key, w.Code)
			continue
		}
		if _, ok := speech.Clean(sp.last()); !ok {
			t.Errorf("%s: %q is not clean pinyin", key, sp.last())
		}
	}
}
