package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/printer"
	"yiting/printer/escpos"
	"yiting/queue/speech"
	"yiting/queue/web"
)

// registerWeb mounts the hall's pages (display board, counter console,
// evaluation pad, supervisor dashboard and its supervision page of
// cases, admin) on the server's mux.
func registerWeb(mux *http.ServeMux, s *server) {
	toml, err := s.cfg.MarshalTOML()
	if err != nil {
		// The configuration was validated at start; this cannot fail, and
		// the admin page can live without it.
		s.log.Error("the admin page cannot show the configuration", "err", err)
	}
	opts := web.Options{
		Engine:        s.eng,
		Auth:          s.acc,
		Tickets:       s.store,
		Cases:         s.book,
		Rota:          s.rota,
		Diary:         s.diary,
		ConfigTOML:    toml,
		QR:            func(payload string) ([][]bool, error) { return printer.QRMatrix(payload, escpos.QRLevelM) },
		KioskPin:      s.pin,
		DeskPrint:     s.deskPrint,
		AdminWarnings: adminWarnings(s.cfg),
		Version:       version,
		Logger:        s.log,
		Now:           s.opts.clock(),
	}
	sp := newEspeakFinder(time.Now)
	opts.Speech, opts.SpeechName = sp, "espeak-ng "+espeakVoice
	if sp.Available() {
		s.log.Info("announcements: the server speaks the calls", "voice", opts.SpeechName)
	} else {
		s.log.Info("announcements: espeak-ng with the cmn-latn-pinyin voice is not installed; the boards speak with the browser's speechSynthesis until it is (apt-get install espeak-ng for the server's voice; no restart needed)")
	}
	pages, err := web.New(opts)
	if err != nil {
		// The templates and assets are embedded and tested: this is a
		// broken build. The API and the kiosk still work without pages.
		s.log.Error("the hall's pages are not served", "err", err)
		return
	}
	pages.Register(mux)
}

// adminWarnings are the installer's unfinished business, shown in red on
// /admin until fixed (at the next start). The missing holiday files are
// the page's own, live (an admin may send them there).
func adminWarnings(cfg *hallconfig.Config) []string {
	var out []string
	if cfg.PublicURL == hallconfig.DefaultPublicURL {
		out = append(out, "public_url 仍是默认的 "+hallconfig.DefaultPublicURL+
			"：访客手机扫描小票二维码打不开案件查询页。请在配置文件中把 public_url 设为手机能访问的地址（如中心的外网域名），然后重启。")
	}
	return out
}

// espeakVoice is espeak-ng's Mandarin voice that reads pinyin with tone
// numbers correctly (platform-notes.md).
const espeakVoice = "cmn-latn-pinyin"

// espeak renders pinyin to WAV with espeak-ng; it implements
// web.Synthesizer.
type espeak struct {
	path string
	sem  chan struct{} // at most two espeak-ng processes at a time on a Pi
}

var _ web.Synthesizer = (*espeak)(nil)

// findEspeak returns the espeak-ng on PATH if it has the pinyin voice,
// else nil.
func findEspeak(ctx context.Context) *espeak {
	path, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil
	}
	out, err := exec.CommandContext(ctx, path, "--voices=cmn").Output()
	if err != nil || !bytes.Contains(out, []byte(espeakVoice)) {
		return nil
	}
	return &espeak{path: path, sem: make(chan struct{}, 2)}
}

// espeakLookEvery is how often a server without espeak-ng looks for it
// again: a program installed after start-up is found without a restart,
// and looking (a PATH search and one espeak-ng --voices run) costs
// nothing at this rate.
const espeakLookEvery = 30 * time.Second

// espeakFinder is the server's voice: espeak-ng wherever it is on PATH
// now. It implements web.Synthesizer and web.Prober; while espeak-ng is
// missing it looks again at most every espeakLookEvery, and a run that
// finds the program gone makes it look again.
type espeakFinder struct {
	now func() time.Time

	mu     sync.Mutex
	found  *espeak
	looked time.Time // zero: never
}

var (
	_ web.Synthesizer = (*espeakFinder)(nil)
	_ web.Prober      = (*espeakFinder)(nil)
)

func newEspeakFinder(now func() time.Time) *espeakFinder { return &espeakFinder{now: now} }

// current returns espeak-ng if it is installed, looking for it when due.
func (f *espeakFinder) current() *espeak {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.found != nil {
		return f.found
	}
	now := f.now()
	if !f.looked.IsZero() && now.Sub(f.looked) < espeakLookEvery && now.After(f.looked) {
		return nil
	}
	f.looked = now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f.found = findEspeak(ctx)
	return f.found
}

// Available reports whether the server can speak now.
func (f *espeakFinder) Available() bool { return f.current() != nil }

// Synthesize speaks with espeak-ng, or returns speech.ErrNotInstalled while
// it is not installed.
func (f *espeakFinder) Synthesize(ctx context.Context, pinyin string) ([]byte, error) {
	sp := f.current()
	if sp == nil {
		return nil, speech.ErrNotInstalled
	}
	wav, err := sp.Synthesize(ctx, pinyin)
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		f.mu.Lock()
		if f.found == sp { // removed since: look again next time
			f.found, f.looked = nil, time.Time{}
		}
		f.mu.Unlock()
	}
	return wav, err
}

// Synthesize runs espeak-ng -v cmn-latn-pinyin -w FILE with the text on
// its standard input (never on the command line, where a leading "-"
// would be an option) and returns the WAV it wrote.
func (e *espeak) Synthesize(ctx context.Context, pinyin string) ([]byte, error) {
	select {
	case e.sem <- struct{}{}:
		defer func() { <-e.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f, err := os.CreateTemp("", "yiting-voice-*.wav")
	if err != nil {
		return nil, fmt.Errorf("espeak-ng: %w", err)
	}
	f.Close()
	defer os.Remove(f.Name())
	var stderr strings.Builder
	// -s 150 words a minute, a little slower than espeak-ng's 175: a hall
	// is noisy and many visitors are old.
	cmd := exec.CommandContext(ctx, e.path, "-v", espeakVoice, "-s", "150", "-w", f.Name(), "--stdin")
	cmd.Stdin = strings.NewReader(pinyin)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	wav, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, fmt.Errorf("espeak-ng: %w", err)
	}
	if len(wav) < 44 || !bytes.HasPrefix(wav, []byte("RIFF")) {
		return nil, errors.New("espeak-ng: wrote no WAV")
	}
	return wav, nil
}
