package main

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"yiting/queue/speech"
	"yiting/queue/web"
)

// Every counter of the default hall can be announced by the server's
// voice: its pinyin is well-formed.
func TestDefaultHallCountersCanBeSpoken(t *testing.T) {
	cfg := defaultHall(t)
	for _, c := range cfg.Hall.Counters {
		if _, err := web.CallPinyin("A001", c); err != nil {
			t.Errorf("counter %s (%s): %v", c.ID, c.Name, err)
		}
	}
}

// With espeak-ng installed the server renders a call to a WAV; without it
// the server says it has no voice, and the boards use the browser's.
func TestEspeak(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sp := findEspeak(ctx)
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if sp != nil {
			t.Fatal("findEspeak found a voice without espeak-ng on PATH")
		}
		t.Log("espeak-ng is not installed: the boards speak with the browser's voice (apt-get install espeak-ng for the server's)")
		return
	}
	if sp == nil {
		t.Fatal("espeak-ng is installed but its cmn-latn-pinyin voice was not found")
	}
	c, _ := defaultHall(t).Hall.Counter("win-03")
	text, err := web.CallPinyin("A012", c)
	if err != nil {
		t.Fatal(err)
	}
	wav, err := sp.Synthesize(ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(wav) < 44 || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" || le.Uint16(wav[22:]) != 1 {
		t.Fatalf("not a mono WAV: % x", wav[:min(len(wav), 44)])
	}
	rate, bits := le.Uint32(wav[24:]), le.Uint16(wav[34:])
	secs := float64(len(wav)-44) / float64(rate) / float64(bits/8)
	if secs < 1.5 || secs > 10 {
		t.Errorf("the call lasts %.1f s (rate %d, %d bits)", secs, rate, bits)
	}
}

// espeak-ng installed after start-up is found without a restart, at the
// next look (issue 13, item 17); until then the finder does not run a
// search on every call.
func TestEspeakInstalledAfterStart(t *testing.T) {
	real, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Fatal("this test needs espeak-ng: apt-get install espeak-ng")
	}
	bin := t.TempDir()
	t.Setenv("PATH", bin) // not installed yet
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	f := newEspeakFinder(func() time.Time { return now })
	if f.Available() {
		t.Fatal("found espeak-ng on an empty PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := f.Synthesize(ctx, "qing3"); !errors.Is(err, speech.ErrNotInstalled) {
		t.Fatalf("Synthesize without espeak-ng: %v, want ErrNoSynthesizer", err)
	}
	if err := os.Symlink(real, filepath.Join(bin, "espeak-ng")); err != nil { // apt-get install espeak-ng
		t.Fatal(err)
	}
	now = now.Add(espeakLookEvery / 2)
	if f.Available() {
		t.Error("looked again before espeakLookEvery")
	}
	now = now.Add(espeakLookEvery)
	if !f.Available() {
		t.Fatal("espeak-ng installed after start-up is not found")
	}
	wav, err := f.Synthesize(ctx, "qing3 ei1 ling2 yi1 er4 hao4")
	if err != nil || len(wav) < 44 || string(wav[:4]) != "RIFF" {
		t.Fatalf("Synthesize: %d bytes, %v", len(wav), err)
	}
	// Removed again: the next run fails and the finder looks again.
	if err := os.Remove(filepath.Join(bin, "espeak-ng")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Synthesize(ctx, "qing3"); err == nil {
		t.Error("espeak-ng removed, yet Synthesize succeeded")
	}
	if f.Available() {
		t.Error("espeak-ng removed, yet the finder offers it")
	}
}
