package county

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// OutboxStream is the hub's stream of the commands it sends its sites,
// each under its site's outbox subject, kept until the site's own stream
// has it (and after, as the county's record of what it asked).
const OutboxStream = "OUTBOX"

// replyPrefix is the inbox of the outbox's connection: the sites' links
// may answer there ("$JSC.R.>", sitePermissions), so a site's stream can
// acknowledge a command the hub delivers.
const replyPrefix = "$JSC.R"

// Outbox sends commands to the sites and delivers each, in order per
// site, once the site's link is up: one durable consumer per site on the
// outbox, a message acknowledged only when the site's command stream
// acknowledged it. A site off line for a week gets its commands when it
// returns; one site's silence never holds another's.
type Outbox struct {
	js  jetstream.JetStream // the hub's: the outbox and its consumers
	out jetstream.JetStream // the deliveries to the sites
	log *slog.Logger

	mu      sync.Mutex
	running map[string]context.CancelFunc
	wg      sync.WaitGroup
}

// NewOutbox creates (or updates) the outbox stream on the hub's server.
func NewOutbox(ctx context.Context, h *HubServer, log *slog.Logger) (*Outbox, error) {
	if log == nil {
		log = slog.Default()
	}
	_, err := h.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: OutboxStream, Subjects: []string{outboxSubject("*")}, Storage: jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy, Duplicates: 24 * time.Hour, // a command sent twice (a retried form) is one
	})
	if err != nil {
		return nil, fmt.Errorf("county: the outbox: %w", err)
	}
	out, err := jetstream.New(h.out)
	if err != nil {
		return nil, err
	}
	return &Outbox{js: h.js, out: out, log: log, running: map[string]context.CancelFunc{}}, nil
}

// Send puts a command in the outbox; it reaches the site as soon as the
// site's link allows.
func (o *Outbox) Send(ctx context.Context, c *Command) error {
	if err := c.Check(); err != nil {
		return err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := o.js.Publish(ctx, outboxSubject(c.Site), data, jetstream.WithMsgID(c.ID), jetstream.WithExpectStream(OutboxStream)); err != nil {
		return fmt.Errorf("county: the outbox: %w", err)
	}
	return nil
}

// Run delivers the commands of the sites sites() names (asked again every
// 10 s, for sites added or removed) until ctx ends.
func (o *Outbox) Run(ctx context.Context, sites func() []string) {
	defer o.wg.Wait()
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		o.follow(ctx, sites())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// follow starts a delivery for each new site and stops those of removed
// ones.
func (o *Outbox) follow(ctx context.Context, sites []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for site, stop := range o.running {
		if !slices.Contains(sites, site) {
			stop()
			delete(o.running, site)
		}
	}
	for _, site := range sites {
		if _, ok := o.running[site]; ok || ctx.Err() != nil {
			continue
		}
		sctx, stop := context.WithCancel(ctx)
		o.running[site] = stop
		o.wg.Add(1)
		go func() { defer o.wg.Done(); o.deliver(sctx, site) }()
	}
}

// deliver hands one site's commands to its stream, one at a time.
func (o *Outbox) deliver(ctx context.Context, site string) {
	pause := time.Second
	for ctx.Err() == nil {
		cons, err := o.js.CreateOrUpdateConsumer(ctx, OutboxStream, jetstream.ConsumerConfig{
			Durable: "deliver-" + site, FilterSubject: outboxSubject(site), AckPolicy: jetstream.AckExplicitPolicy,
			MaxAckPending: 1, AckWait: time.Minute, MaxDeliver: -1,
		})
		if err != nil {
			o.wait(ctx, &pause, "county: the outbox's consumer", site, err)
			continue
		}
		for ctx.Err() == nil {
			batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				break
			}
			for m := range batch.Messages() {
				if err := o.hand(ctx, site, m); err != nil {
					o.log.Info("county: a command waits for its site's link", "site", site, "err", err)
					_ = m.NakWithDelay(pause)
					pause = min(2*pause, time.Minute)
					continue
				}
				_ = m.Ack()
				pause = time.Second
			}
			if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
				o.wait(ctx, &pause, "county: reading the outbox", site, err)
				break
			}
		}
	}
}

// hand gives one command to the site's stream and waits for its
// acknowledgement.
func (o *Outbox) hand(ctx context.Context, site string, m jetstream.Msg) error {
	var c Command
	if err := json.Unmarshal(m.Data(), &c); err != nil || c.Site != site {
		o.log.Error("county: a malformed command in the outbox, dropped", "site", site, "err", err)
		return nil // acknowledged: it will never go
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := o.out.Publish(pctx, commandSubject(site, c.ID), m.Data(), jetstream.WithMsgID(c.ID),
		jetstream.WithExpectStream(CommandStream))
	return err
}

func (o *Outbox) wait(ctx context.Context, pause *time.Duration, what, site string, err error) {
	if ctx.Err() != nil {
		return
	}
	o.log.Warn(what, "site", site, "err", err)
	select {
	case <-ctx.Done():
	case <-time.After(*pause/2 + rand.N(*pause/2+1)):
	}
	*pause = min(2**pause, time.Minute)
}
