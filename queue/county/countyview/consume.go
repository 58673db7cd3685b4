package countyview

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue/county"
)

// Stream is the hub's stream that sources every site's EVENTS.
const Stream = "COUNTY"

// retry bounds the pause before the consumer starts again after a
// failure: it doubles from retryMin up to retryMax, with jitter.
const (
	retryMin = 200 * time.Millisecond
	retryMax = 10 * time.Second
)

// Run applies the hub's stream to the model until ctx ends, and returns
// nil then. It reads COUNTY with an ordered consumer (no state on the
// server: the model's file holds where it stands) from the message after
// the last one applied, and applies what arrived in batches of at most
// Options.Batch, each in one transaction. Any failure — the stream not
// there yet, the server restarting, a full disk — is logged and the
// consumer starts again from the file's position after a pause, so
// nothing is skipped and nothing applied twice. One Run at a time.
func (m *Model) Run(ctx context.Context, js jetstream.JetStream) error {
	pause := retryMin
	for {
		applied, err := m.consume(ctx, js)
		if ctx.Err() != nil {
			return nil
		}
		if applied {
			pause = retryMin
		}
		m.log.Warn("countyview: reading the county stream stopped; starting again", "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause/2 + rand.N(pause/2+1)):
		}
		pause = min(2*pause, retryMax)
	}
}

// Pending is how many messages of the stream were still to be applied
// after the last one the model read (the consumer's count: 0 before Run
// has read one).
func (m *Model) Pending() uint64 { return m.pending.Load() }

// consume reads and applies until an error; applied says whether it
// applied anything before it.
func (m *Model) consume(ctx context.Context, js jetstream.JetStream) (applied bool, err error) {
	start, err := m.StreamSeq()
	if err != nil {
		return false, err
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if start > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, start+1
	}
	cons, err := js.OrderedConsumer(ctx, Stream, cfg)
	if err != nil {
		return false, fmt.Errorf("countyview: consumer on %s: %w", Stream, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return false, fmt.Errorf("countyview: read %s: %w", Stream, err)
	}
	// A reader goroutine takes the messages from the iterator (which
	// buffers them and keeps the consumer's position) and hands them over;
	// this goroutine applies what has arrived in batches.
	cctx, cancel := context.WithCancel(ctx)
	msgs := make(chan message, m.batch)
	failed := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msg, err := it.Next()
			if err != nil {
				failed <- fmt.Errorf("countyview: read %s: %w", Stream, err)
				return
			}
			md, err := msg.Metadata()
			if err != nil {
				failed <- fmt.Errorf("countyview: a message without metadata: %w", err)
				return
			}
			select {
			case msgs <- message{stream: md.Sequence.Stream, subject: msg.Subject(), seq: msg.Headers().Get(county.SeqHeader), data: msg.Data()}:
				m.pending.Store(md.NumPending)
			case <-cctx.Done():
				return
			}
		}
	}()
	defer func() {
		cancel()
		it.Stop() // Next returns
		<-done
	}()
	batch := make([]message, 0, m.batch)
	for {
		select {
		case <-ctx.Done():
			return applied, ctx.Err()
		case err := <-failed:
			return applied, err
		case first := <-msgs:
			batch = append(batch[:0], first)
		drain:
			for len(batch) < m.batch {
				select {
				case msg := <-msgs:
					batch = append(batch, msg)
				default:
					break drain
				}
			}
			if err := m.apply(batch); err != nil {
				return applied, err
			}
			applied = true
		}
	}
}
