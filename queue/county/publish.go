package county

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/sites"
)

// StreamName is every site's event stream, in the site's own JetStream
// domain: the hub sources "EVENTS" through "$JS.<site>.API".
const StreamName = "EVENTS"

// Subject is where a site publishes its events.
func Subject(site string) string { return "yiting." + site + ".events" }

// SiteOf is the site whose events subject is; ok is false when subject is
// not one (Subject).
func SiteOf(subject string) (site string, ok bool) {
	rest, found := strings.CutPrefix(subject, "yiting.")
	if !found {
		return "", false
	}
	site, found = strings.CutSuffix(rest, ".events")
	return site, found && sites.ValidID(site)
}

// SeqHeader carries the event's sequence number in the site's log.
const SeqHeader = "Yiting-Seq"

// Events is the site's committed event log as the engine's feed serves
// it: up to limit events after a sequence number, blocking until there is
// one (queue.Feed).
type Events interface {
	Wait(ctx context.Context, after uint64, limit int) ([]queue.Event, error)
}

// Publisher copies a site's committed events, in order, into its stream.
type Publisher struct {
	site   string
	js     jetstream.JetStream
	events Events
	log    *slog.Logger
	retry  time.Duration

	published atomic.Uint64 // the last event the stream holds
}

// PublisherOptions configure a Publisher.
type PublisherOptions struct {
	Site   string         // the site id: its JetStream domain and subject token
	Conn   *nats.Conn     // to the site's own server
	Events Events         // the engine's feed
	Logger *slog.Logger   // slog.Default() if nil
	Retry  time.Duration  // wait after a failure; 2 s if 0
	Stream StreamSettings // the stream's limits
}

// StreamSettings bound a site's stream. It keeps what a township cut off
// for a long time must still bring to the county, by size only (1 GiB by
// default, about two million events: months of a busy hall): when full it
// drops its oldest messages, never the last, which is where the copy
// resumes.
type StreamSettings struct {
	MaxBytes int64
}

// NewPublisher creates (or updates) the site's stream.
func NewPublisher(ctx context.Context, o PublisherOptions) (*Publisher, error) {
	if !sites.ValidID(o.Site) {
		return nil, siteIDError(o.Site)
	}
	if o.Conn == nil || o.Events == nil {
		return nil, errors.New("county: a publisher needs a connection and the events")
	}
	js, err := jetstream.New(o.Conn)
	if err != nil {
		return nil, err
	}
	p := &Publisher{site: o.Site, js: js, events: o.Events, log: o.Logger, retry: o.Retry}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.retry == 0 {
		p.retry = 2 * time.Second
	}
	st := o.Stream
	if st.MaxBytes == 0 {
		st.MaxBytes = 1 << 30
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: StreamName, Subjects: []string{Subject(o.Site)}, Storage: jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy, Discard: jetstream.DiscardOld, MaxBytes: st.MaxBytes,
		Duplicates: 10 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("county: the site's stream: %w", err)
	}
	return p, nil
}

// Published is the sequence number of the last event the stream holds.
func (p *Publisher) Published() uint64 { return p.published.Load() }

// Run copies events until ctx ends. Every failure (the server restarting,
// a full disk) is logged and retried after a pause from where the stream
// stands, so nothing is skipped and nothing doubled.
func (p *Publisher) Run(ctx context.Context) error {
	for {
		err := p.copy(ctx)
		if ctx.Err() != nil {
			return nil
		}
		p.log.Warn("county: copying events to the site's stream stopped; retrying", "err", err, "published", p.Published())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.retry):
		}
	}
}

// copy resumes from the stream's last event and publishes what follows,
// each message expecting the stream's previous one: a second publisher,
// or a stale view of the stream, fails instead of doubling or reordering.
func (p *Publisher) copy(ctx context.Context) error {
	last, streamSeq, err := p.resume(ctx)
	if err != nil {
		return err
	}
	p.published.Store(last)
	for {
		evs, err := p.events.Wait(ctx, last, 256)
		if err != nil {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			if ev.Seq != last+1 {
				return fmt.Errorf("county: the log gave event %d after %d", ev.Seq, last)
			}
			data, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			msg := &nats.Msg{Subject: Subject(p.site), Data: data, Header: nats.Header{}}
			msg.Header.Set(SeqHeader, strconv.FormatUint(ev.Seq, 10))
			ack, err := p.js.PublishMsg(ctx, msg, jetstream.WithMsgID(p.site+"-"+strconv.FormatUint(ev.Seq, 10)),
				jetstream.WithExpectLastSequence(streamSeq))
			if err != nil {
				return fmt.Errorf("county: publish event %d: %w", ev.Seq, err)
			}
			if ack.Duplicate {
				return fmt.Errorf("county: event %d was in the stream already", ev.Seq)
			}
			last, streamSeq = ev.Seq, ack.Sequence
			p.published.Store(last)
		}
	}
}

// resume reads where the stream stands: the site's last event in it and
// the stream's own sequence of that message.
func (p *Publisher) resume(ctx context.Context) (event, stream uint64, err error) {
	s, err := p.js.Stream(ctx, StreamName)
	if err != nil {
		return 0, 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	if info.State.Msgs == 0 {
		// The stream discards only its oldest messages when full, never
		// the last: empty after messages means someone purged it.
		if info.State.LastSeq != 0 {
			return 0, 0, fmt.Errorf("county: the site's stream was purged after %d messages: where the copy stands is unknown; recreate the stream to copy the whole log again", info.State.LastSeq)
		}
		return 0, 0, nil
	}
	m, err := s.GetMsg(ctx, info.State.LastSeq)
	if err != nil {
		return 0, 0, err
	}
	event, err = strconv.ParseUint(m.Header.Get(SeqHeader), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("county: the stream's last message has no event sequence: %w", err)
	}
	return event, m.Sequence, nil
}
