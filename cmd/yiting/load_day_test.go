package main

import (
	"math"
	"testing"
)

// fitLine recovers a line through points on it, and the least-squares
// line of points around one.
func TestFitLine(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		a, b float64
	}{
		{[]float64{0, 10, 20, 30}, []float64{5, 25, 45, 65}, 5, 2},
		{[]float64{0, 1, 2, 3}, []float64{1, 2, 2, 3}, 1.1, 0.6},
		{[]float64{4, 4}, []float64{1, 3}, 2, 0}, // no spread in x: the mean, no slope
	} {
		a, b := fitLine(c.x, c.y)
		if math.Abs(a-c.a) > 1e-9 || math.Abs(b-c.b) > 1e-9 {
			t.Errorf("fitLine(%v, %v) = %v + %v·x, want %v + %v·x", c.x, c.y, a, b, c.a, c.b)
		}
	}
}
