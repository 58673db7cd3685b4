package web

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"yiting/queue"
	"yiting/queue/speech"
)

// Synthesizer speaks a sentence written in pinyin with tone numbers
// ("qing3 ei1 ling2 yi1 er4 hao4 …") and returns it as a WAV file.
// platform-notes.md: espeak-ng's cmn-latn-pinyin voice reads such text
// correctly, where its Mandarin voice misreads characters. Implementations
// must be safe for concurrent use and honour ctx.
type Synthesizer interface {
	Synthesize(ctx context.Context, pinyin string) ([]byte, error)
}

// Prober is implemented by a Synthesizer whose program may come and go
// (espeak-ng installed after start-up): Available reports, cheaply,
// whether it speaks now. A Synthesizer without it always speaks.
type Prober interface {
	Available() bool
}

// speaks reports whether the server's voice is there now.
func (p *Pages) speaks() bool {
	if p.voice == nil {
		return false
	}
	if pr, ok := p.voice.synth.(Prober); ok {
		return pr.Available()
	}
	return true
}

// ErrNoPinyin is returned by CallPinyin for a counter whose
// configuration has no usable pinyin: the board then speaks the Chinese
// sentence with the browser's voice.
var ErrNoPinyin = errors.New("web: the counter has no pinyin for the announcement")

// CallText is the spoken call in Chinese, as the board shows and the
// browser's voice reads it: "请A012号到3号窗口办理" (docs/domain.md).
func CallText(number, counterName string) string {
	return "请" + number + "号到" + counterName + "办理"
}

// CallPinyin is the call "请A012号到3号窗口办理" in pinyin with tone
// numbers, for the server's voice: the number letter by letter and digit
// by digit from tables, the counter from its configured pinyin. It
// returns an error for a malformed number and ErrNoPinyin for a counter
// without pinyin.
func CallPinyin(number string, c queue.Counter) (string, error) {
	n, err := speech.Number(number)
	if err != nil {
		return "", fmt.Errorf("web: %w", err)
	}
	cp, ok := speech.Clean(c.Pinyin)
	if !ok {
		return "", fmt.Errorf("%w: %s (%q)", ErrNoPinyin, c.ID, c.Pinyin)
	}
	return "qing3 " + n + " hao4 dao4 " + cp + " ban4 li3", nil
}

// voiceCacheSize bounds the rendered sentences kept: a call is asked for
// by every board at once and again on a recall, then never again. A
// sentence is about 160 KB of 22 kHz WAV, so this is a few megabytes.
const voiceCacheSize = 32

// voiceTimeout bounds one synthesis.
const voiceTimeout = 15 * time.Second

// voiceCache renders each sentence once: concurrent requests for the same
// text (ten boards hearing one call) wait for the one synthesis, and the
// latest sentences are kept.
type voiceCache struct {
	synth Synthesizer
	size  int

	mu    sync.Mutex
	items map[string]*list.Element // of *voiceEntry
	lru   *list.List               // front: most recently used
}

type voiceEntry struct {
	text string
	done chan struct{} // closed when wav and err are set
	wav  []byte
	err  error
}

func newVoiceCache(s Synthesizer, size int) *voiceCache {
	return &voiceCache{synth: s, size: size, items: map[string]*list.Element{}, lru: list.New()}
}

// get returns the WAV of text, rendering it if no one has. A failed
// synthesis is not kept: the next request tries again.
func (c *voiceCache) get(ctx context.Context, text string) ([]byte, error) {
	c.mu.Lock()
	if el, ok := c.items[text]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*voiceEntry)
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.wav, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &voiceEntry{text: text, done: make(chan struct{})}
	c.items[text] = c.lru.PushFront(e)
	for c.lru.Len() > c.size {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.items, old.Value.(*voiceEntry).text)
	}
	c.mu.Unlock()

	// The synthesis belongs to every waiter, not to this request: it runs
	// to its end (or timeout) even if this client goes away.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), voiceTimeout)
	e.wav, e.err = c.synth.Synthesize(sctx, text)
	cancel()
	if e.err == nil && len(e.wav) < 44 {
		e.err = errors.New("web: the synthesizer returned no audio")
	}
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if el, ok := c.items[text]; ok && el.Value.(*voiceEntry) == e {
			c.lru.Remove(el)
			delete(c.items, text)
		}
		c.mu.Unlock()
	}
	return e.wav, e.err
}

// speechInfo answers GET /board/speech: whether the server speaks, so a
// board knows whether to ask for voice.wav or use its own voice.
func (p *Pages) speechInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	out := struct {
		Server bool   `json:"server"`
		Voice  string `json:"voice,omitempty"`
	}{Server: p.speaks()}
	if out.Server {
		out.Voice = p.speechName
	}
	json.NewEncoder(w).Encode(out)
}

// voiceWAV answers GET /board/voice.wav?number=A012&counter=win-03 with
// the call spoken by the server's voice, for any principal (a display
// token, a staff session). 404 with a JSON error when the server has no
// voice or the counter no pinyin: the board then uses the browser's.
func (p *Pages) voiceWAV(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.principal(r); !ok {
		jsonError(w, http.StatusUnauthorized, queue.EUNAUTH, "请先配置设备令牌或登录 (credentials required)")
		return
	}
	if !p.speaks() {
		jsonError(w, http.StatusNotFound, "no_voice", "服务器未安装语音合成，请使用浏览器语音 (no server voice)")
		return
	}
	q := r.URL.Query()
	number := strings.ToUpper(strings.TrimSpace(q.Get("number")))
	c, ok := p.hall.Counter(q.Get("counter"))
	if !ok {
		jsonError(w, http.StatusNotFound, queue.ENOTFOUND, "没有这个窗口 (unknown counter)")
		return
	}
	if !p.knownPrefix(number) {
		jsonError(w, http.StatusBadRequest, queue.EINVALID, "号码格式不正确 (not a ticket number of this hall)")
		return
	}
	text, err := CallPinyin(number, c)
	switch {
	case errors.Is(err, ErrNoPinyin):
		jsonError(w, http.StatusNotFound, "no_pinyin", c.Name+"未配置拼音，请使用浏览器语音 (counter has no pinyin)")
		return
	case err != nil:
		jsonError(w, http.StatusBadRequest, queue.EINVALID, "号码格式不正确 (not a ticket number)")
		return
	}
	wav, err := p.voice.get(r.Context(), text)
	if errors.Is(err, speech.ErrNotInstalled) { // removed since the check above
		jsonError(w, http.StatusNotFound, "no_voice", "服务器未安装语音合成，请使用浏览器语音 (no server voice)")
		return
	}
	if err != nil {
		if r.Context().Err() == nil {
			p.log.Warn("web: speech synthesis failed; the board falls back to the browser's voice", "err", err)
		}
		jsonError(w, http.StatusServiceUnavailable, queue.EUNAVAILABLE, "语音合成失败 (speech synthesis failed)")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "audio/wav")
	h.Set("Cache-Control", "private, max-age=3600")
	w.Write(wav)
}

// knownPrefix reports whether number is a ticket number with the prefix
// of a configured service.
func (p *Pages) knownPrefix(number string) bool {
	if !speech.IsNumber(number) {
		return false
	}
	for _, s := range p.hall.Services {
		if s.Prefix == number[:1] {
			return true
		}
	}
	return false
}

// chimeWAV serves the ding-dong played before each announcement.
func (p *Pages) chimeWAV(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "audio/wav")
	h.Set("Cache-Control", "public, max-age=86400")
	w.Write(p.chime)
}

// jsonError answers in the API's error shape.
func jsonError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
