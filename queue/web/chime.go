package web

import (
	"encoding/binary"
	"math"
)

// Chime sample format: 22,050 Hz, 16-bit signed, mono — what espeak-ng
// writes too, so the board's one audio element switches between them
// without a change of format.
const (
	chimeRate   = 22050
	chimeVolume = 0.6 // of full scale: loud enough, far from clipping
)

// chimeNotes is a two-tone "ding-dong" (E5 then C5), each note a bell: a
// sine with a quieter octave partial, a 5 ms attack and an exponential
// decay, so it neither clicks nor sounds like a test tone.
var chimeNotes = []struct {
	freq, seconds float64
}{{659.25, 0.55}, {523.25, 0.85}}

// Chime returns the announcement chime as a WAV file (RIFF, PCM),
// generated here so the binary carries no audio blob.
func Chime() []byte {
	var samples []int16
	for _, n := range chimeNotes {
		count := int(n.seconds * chimeRate)
		for i := 0; i < count; i++ {
			t := float64(i) / chimeRate
			attack := math.Min(1, t/0.005)
			decay := math.Exp(-t * 4.5)
			v := 0.8*math.Sin(2*math.Pi*n.freq*t) + 0.2*math.Sin(2*math.Pi*2*n.freq*t)
			samples = append(samples, int16(v*attack*decay*chimeVolume*math.MaxInt16))
		}
	}
	return encodeWAV(samples, chimeRate)
}

// encodeWAV writes 16-bit mono PCM samples as a canonical 44-byte-header
// WAV file.
func encodeWAV(samples []int16, rate int) []byte {
	const header = 44
	data := len(samples) * 2
	b := make([]byte, header+data)
	le := binary.LittleEndian
	copy(b[0:], "RIFF")
	le.PutUint32(b[4:], uint32(header-8+data))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	le.PutUint32(b[16:], 16)             // fmt chunk size
	le.PutUint16(b[20:], 1)              // PCM
	le.PutUint16(b[22:], 1)              // mono
	le.PutUint32(b[24:], uint32(rate))   // sample rate
	le.PutUint32(b[28:], uint32(rate*2)) // byte rate
	le.PutUint16(b[32:], 2)              // block align
	le.PutUint16(b[34:], 16)             // bits per sample
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(data))
	for i, s := range samples {
		le.PutUint16(b[header+2*i:], uint16(s))
	}
	return b
}
