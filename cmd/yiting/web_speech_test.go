package main

import (
	"context"
	"encoding/binary"
	"os/exec"
	"testing"
	"time"

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
