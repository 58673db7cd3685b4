package county

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// CommandStream is a site's stream of the county's commands, in the
// site's own domain: the hub's outbox delivers each there (the stream's
// acknowledgement is what the hub waits for), and the site applies them
// from it at its pace, off line or not.
const CommandStream = "COMMANDS"

// Refused wraps the error of a command the site will never apply (the
// case is not there, the unit unknown…): it is logged and dropped rather
// than tried again. Apply returns it once the refusal is in the site's
// event log (queue.EventCommandRefused), whose stream carries the reason
// up to the county.
type Refused struct{ Err error }

func (r *Refused) Error() string { return "county: command refused: " + r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

// Commands applies the county's commands at a site, each once.
type Commands struct {
	site    string
	js      jetstream.JetStream
	apply   func(context.Context, *Command) error
	log     *slog.Logger
	retry   time.Duration
	applied atomic.Uint64
	refused atomic.Uint64
}

// CommandsOptions configure Commands.
type CommandsOptions struct {
	Site string
	Conn *nats.Conn // to the site's own server
	// Apply carries a command out. It must be idempotent by the command's
	// id (a command is delivered again after a crash between applying and
	// acknowledging it): the book finds the steps of Command.Actor. A
	// *Refused error drops the command; any other is tried again.
	Apply  func(context.Context, *Command) error
	Logger *slog.Logger
	Retry  time.Duration // after a failure; 5 s if 0
}

// NewCommands creates (or updates) the site's command stream and its
// consumer.
func NewCommands(ctx context.Context, o CommandsOptions) (*Commands, error) {
	if o.Conn == nil || o.Apply == nil {
		return nil, errors.New("county: commands need a connection and Apply")
	}
	js, err := jetstream.New(o.Conn)
	if err != nil {
		return nil, err
	}
	c := &Commands{site: o.Site, js: js, apply: o.Apply, log: o.Logger, retry: o.Retry}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.retry == 0 {
		c.retry = 5 * time.Second
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: CommandStream, Subjects: []string{commandSubject(o.Site, "*")}, Storage: jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy, Discard: jetstream.DiscardOld, MaxBytes: 64 << 20,
		Duplicates: 24 * time.Hour, // the hub delivers again when an acknowledgement was lost
	})
	if err != nil {
		return nil, fmt.Errorf("county: the site's command stream: %w", err)
	}
	return c, nil
}

// Applied and Refused count the commands since the start.
func (c *Commands) Applied() uint64 { return c.applied.Load() }
func (c *Commands) Refused() uint64 { return c.refused.Load() }

// Run applies the commands in order until ctx ends.
func (c *Commands) Run(ctx context.Context) {
	for ctx.Err() == nil {
		cons, err := c.js.CreateOrUpdateConsumer(ctx, CommandStream, jetstream.ConsumerConfig{
			Durable: "apply", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1, AckWait: time.Minute, MaxDeliver: -1,
		})
		if err != nil {
			c.pause(ctx, "county: the command consumer", err)
			continue
		}
		for ctx.Err() == nil {
			batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				break
			}
			for m := range batch.Messages() {
				c.one(ctx, m)
			}
			if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
				c.pause(ctx, "county: reading the commands", err)
				break
			}
		}
	}
}

func (c *Commands) one(ctx context.Context, m jetstream.Msg) {
	var cmd Command
	if err := json.Unmarshal(m.Data(), &cmd); err != nil || cmd.Site != c.site {
		c.log.Error("county: a malformed command, dropped", "subject", m.Subject(), "err", err)
		c.refused.Add(1)
		_ = m.Term()
		return
	}
	err := c.apply(ctx, &cmd)
	var refused *Refused
	switch {
	case err == nil:
		c.applied.Add(1)
		_ = m.Ack()
		c.log.Info("county: command applied", "id", cmd.ID, "kind", cmd.Kind, "case", cmd.Case)
	case errors.As(err, &refused):
		c.refused.Add(1)
		_ = m.Term()
		c.log.Warn("county: command refused", "id", cmd.ID, "kind", cmd.Kind, "case", cmd.Case, "err", err)
	default:
		_ = m.NakWithDelay(c.retry)
		c.log.Warn("county: a command failed, to try again", "id", cmd.ID, "err", err)
	}
}

func (c *Commands) pause(ctx context.Context, what string, err error) {
	c.log.Warn(what, "err", err)
	select {
	case <-ctx.Done():
	case <-time.After(c.retry):
	}
}
