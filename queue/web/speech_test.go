package web_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/web"
)

func TestCallPinyin(t *testing.T) {
	w3 := queue.Counter{ID: "w3", Name: "3号窗口", Pinyin: "san1 hao4 chuang1 kou3"}
	cases := []struct {
		number string
		c      queue.Counter
		want   string
		err    error
	}{
		{"A012", w3, "qing3 ei1 ling2 yi1 er4 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3", nil},
		{"Z1000", w3, "qing3 zei4 yi1 ling2 ling2 ling2 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3", nil},
		{"D905", queue.Counter{ID: "r", Pinyin: "  Yi1 huan4   jiu1 fen1 tiao2 jie3 shi4 "}, "qing3 di4 jiu3 ling2 wu3 hao4 dao4 yi1 huan4 jiu1 fen1 tiao2 jie3 shi4 ban4 li3", nil},
		{"H001", queue.Counter{ID: "r", Pinyin: "lv4 se4"}, "qing3 ai2 qi1 ling2 ling2 yi1 hao4 dao4 lv4 se4 ban4 li3", nil},
		{"A012", queue.Counter{ID: "r1"}, "", web.ErrNoPinyin},
		{"A012", queue.Counter{ID: "r1", Pinyin: "san1; rm -rf /"}, "", web.ErrNoPinyin},
		{"A012", queue.Counter{ID: "r1", Pinyin: "-v en"}, "", web.ErrNoPinyin},
		{"A012", queue.Counter{ID: "r1", Pinyin: "三号窗口"}, "", web.ErrNoPinyin},
	}
	for _, c := range cases {
		got, err := web.CallPinyin(c.number, c.c)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s at %q: err %v, want %v", c.number, c.c.Pinyin, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s at %q:\n got %q, %v\nwant %q", c.number, c.c.Pinyin, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "A12", "AA012", "1012", "a012", "A01X", "A12345678"} {
		if _, err := web.CallPinyin(bad, w3); err == nil || errors.Is(err, web.ErrNoPinyin) {
			t.Errorf("number %q: err %v, want a malformed-number error", bad, err)
		}
	}
	// Every letter can be spoken, and what is spoken is plain pinyin.
	syllables := regexp.MustCompile(`^[a-z]+[1-5]( [a-z]+[1-5])*$`)
	for l := 'A'; l <= 'Z'; l++ {
		got, err := web.CallPinyin(string(l)+"000", w3)
		if err != nil || !syllables.MatchString(got) {
			t.Errorf("letter %c: %q, %v", l, got, err)
		}
	}
	if got := web.CallText("A012", "3号窗口"); got != "请A012号到3号窗口办理" {
		t.Errorf("CallText %q", got)
	}
}

func voice(f *fixture, query, secret string) *httptest.ResponseRecorder {
	return f.get("/board/voice.wav?"+query, secret)
}

func TestVoiceRendersOnceAndIsCached(t *testing.T) {
	f := newFixture(t)
	wantStatus(t, voice(f, "number=A012&counter=w1", ""), http.StatusUnauthorized)

	w := voice(f, "number=a012&counter=w1", secDisplay)
	wantStatus(t, w, http.StatusOK)
	if w.Header().Get("Content-Type") != "audio/wav" || !strings.Contains(w.Body.String(), "qing3 ei1 ling2 yi1 er4 hao4 dao4 yi1 hao4 chuang1 kou3 ban4 li3") {
		t.Fatalf("voice: %v %q", w.Header(), w.Body)
	}
	// A staff session may hear it too; the second time comes from the cache.
	wantStatus(t, voice(f, "number=A012&counter=w1", secStaff), http.StatusOK)
	if n := len(f.synth.calls()); n != 1 {
		t.Errorf("synthesized %d times, want 1 (cached)", n)
	}

	// Ten boards hearing one call at once: one synthesis.
	f.synth.mu.Lock()
	f.synth.gate = make(chan struct{})
	f.synth.mu.Unlock()
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = voice(f, "number=Z007&counter=w2", secDisplay).Code
		}()
	}
	for len(f.synth.calls()) < 2 { // wait until the first request is in the synthesizer
		time.Sleep(time.Millisecond)
	}
	close(f.synth.gate)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("board %d: %d", i, c)
		}
	}
	if n := len(f.synth.calls()); n != 2 {
		t.Errorf("synthesized %d times for two sentences", n)
	}
}

func TestVoiceRefusals(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		query  string
		status int
		code   string
	}{
		{"number=A012&counter=nope", http.StatusNotFound, "not_found"},
		{"number=Q012&counter=w1", http.StatusBadRequest, "invalid"}, // no service has prefix Q
		{"number=A1&counter=w1", http.StatusBadRequest, "invalid"},
		{"number=D001&counter=r1", http.StatusNotFound, "no_pinyin"},
	}
	for _, c := range cases {
		w := voice(f, c.query, secDisplay)
		if w.Code != c.status || code(w) != c.code {
			t.Errorf("%s: %d %q, want %d %q", c.query, w.Code, code(w), c.status, c.code)
		}
	}
	if n := len(f.synth.calls()); n != 0 {
		t.Errorf("refused requests reached the synthesizer %d times", n)
	}

	// A failing synthesizer: 503, and the next request tries again.
	f.synth.mu.Lock()
	f.synth.fail = errors.New("espeak-ng crashed")
	f.synth.mu.Unlock()
	w := voice(f, "number=A001&counter=w1", secDisplay)
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("failed synthesis: %d", w.Code)
	}
	f.synth.mu.Lock()
	f.synth.fail = nil
	f.synth.mu.Unlock()
	wantStatus(t, voice(f, "number=A001&counter=w1", secDisplay), http.StatusOK)
	if n := len(f.synth.calls()); n != 2 {
		t.Errorf("a failure was cached: %d syntheses", n)
	}

	nf := newFixture(t, func(o *fixtureOpts) { o.noSpeech = true })
	w = voice(nf, "number=A001&counter=w1", secDisplay)
	if w.Code != http.StatusNotFound || code(w) != "no_voice" {
		t.Errorf("no synthesizer: %d %s", w.Code, w.Body)
	}
	var info struct {
		Server bool   `json:"server"`
		Voice  string `json:"voice"`
	}
	json.Unmarshal(nf.get("/board/speech", "").Body.Bytes(), &info)
	if info.Server {
		t.Error("/board/speech says the server speaks without a synthesizer")
	}
	json.Unmarshal(f.get("/board/speech", "").Body.Bytes(), &info)
	if !info.Server || info.Voice != "fake voice" {
		t.Errorf("/board/speech: %+v", info)
	}
}

// code is the error code of a JSON error answer.
func code(w *httptest.ResponseRecorder) string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(w.Body.Bytes(), &e)
	return e.Error.Code
}

// A voice installed after start-up is used without a restart, and one
// removed is no longer offered (issue 13, item 17): /board/speech, the
// board page and voice.wav ask the synthesizer each time.
func TestVoiceInstalledAfterStart(t *testing.T) {
	synth := &fakeSynth{absent: true}
	f := newFixture(t, func(o *fixtureOpts) { o.synth = synth })
	speaks := func() bool {
		t.Helper()
		var info struct {
			Server bool `json:"server"`
		}
		if err := json.Unmarshal(f.get("/board/speech", "").Body.Bytes(), &info); err != nil {
			t.Fatal(err)
		}
		return info.Server
	}
	if speaks() {
		t.Error("/board/speech offers a voice that is not installed")
	}
	if w := voice(f, "number=A001&counter=w1", secDisplay); w.Code != http.StatusNotFound || code(w) != "no_voice" {
		t.Errorf("voice.wav without the program: %d %s", w.Code, w.Body)
	}
	if b := f.get("/board", secDisplay).Body.String(); !strings.Contains(b, `"server_speech":false`) {
		t.Error("the board page offers a voice that is not installed")
	}
	synth.mu.Lock()
	synth.absent = false // apt-get install espeak-ng
	synth.mu.Unlock()
	if !speaks() {
		t.Error("/board/speech does not find the voice installed after start-up")
	}
	wantStatus(t, voice(f, "number=A001&counter=w1", secDisplay), http.StatusOK)
	if b := f.get("/board", secDisplay).Body.String(); !strings.Contains(b, `"server_speech":true`) {
		t.Error("the board page does not offer the voice installed after start-up")
	}
}

// The chime is a real WAV: 22,050 Hz 16-bit mono like espeak-ng's output,
// loud but not clipping, starting and ending near silence (no click).
func TestChime(t *testing.T) {
	b := web.Chime()
	le := binary.LittleEndian
	if string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("header % x", b[:44])
	}
	if le.Uint32(b[4:]) != uint32(len(b)-8) || le.Uint32(b[40:]) != uint32(len(b)-44) {
		t.Errorf("sizes: riff %d data %d, file %d", le.Uint32(b[4:]), le.Uint32(b[40:]), len(b))
	}
	if le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 22050 || le.Uint16(b[34:]) != 16 {
		t.Errorf("format: pcm %d channels %d rate %d bits %d", le.Uint16(b[20:]), le.Uint16(b[22:]), le.Uint32(b[24:]), le.Uint16(b[34:]))
	}
	n := (len(b) - 44) / 2
	if secs := float64(n) / 22050; secs < 0.8 || secs > 2 {
		t.Errorf("%.2f s long", secs)
	}
	sample := func(i int) int { return int(int16(le.Uint16(b[44+2*i:]))) }
	peak := 0
	for i := 0; i < n; i++ {
		peak = max(peak, abs(sample(i)))
	}
	if peak < 8000 || peak > 30000 {
		t.Errorf("peak %d of 32767", peak)
	}
	if abs(sample(0)) > 500 || abs(sample(n-1)) > peak/10 {
		t.Errorf("clicks: first sample %d, last %d (peak %d)", sample(0), sample(n-1), peak)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
