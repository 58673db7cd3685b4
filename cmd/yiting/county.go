package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
)

// startCounty makes the hall a site of the county network when the hall
// file names one ([county] site): the embedded NATS server with its store
// in the data directory, dialling out to the hub when one is named, and
// the publisher copying the committed events into the site's stream,
// both stopped by s.close. It returns the link's metrics; none without a
// site.
func startCounty(ctx context.Context, s *server, c hallconfig.County) ([]prometheus.Collector, error) {
	if c.Site == "" {
		return nil, nil
	}
	srv, err := county.StartSiteServer(county.SiteServerOptions{Site: c.Site, StoreDir: filepath.Join(s.data, "nats"),
		Hub: c.Hub, Credentials: c.Credentials, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.onClose(srv.Close)
	pub, err := county.NewPublisher(ctx, county.PublisherOptions{Site: c.Site, Conn: srv.Conn(), Events: s.eng.Events(), Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.background(func(ctx context.Context) { pub.Run(ctx) })
	cmds, err := county.NewCommands(ctx, county.CommandsOptions{Site: c.Site, Conn: srv.Conn(), Apply: applyCommand(s.eng, s.book), Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.background(func(ctx context.Context) { cmds.Run(ctx) })
	s.log.Info("county site", "site", c.Site, "hub", c.Hub)
	feed := s.eng.Events()
	metrics := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "yiting_county_published_event",
			Help: "The last event of this site's log in its county stream."}, func() float64 { return float64(pub.Published()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "yiting_county_lag_events",
			Help: "Events of this site's log not yet in its county stream."}, func() float64 {
			return float64(feed.Last() - min(feed.Last(), pub.Published()))
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "yiting_county_link_up",
			Help: "1 while this site's leaf link to the county hub is connected."}, func() float64 {
			if srv.LinkUp() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "yiting_county_commands_applied_total",
			Help: "The county's commands (交办, 督办, 预警) this site applied since it started."}, func() float64 { return float64(cmds.Applied()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "yiting_county_commands_refused_total",
			Help: "The county's commands this site could not apply (no such case, an unknown unit…), since it started; the journal says why."},
			func() float64 { return float64(cmds.Refused()) }),
	}
	return metrics, nil
}

// applyCommand carries out the county's commands on the site's cases, as
// the county (a supervisor whose actor is the command's: its steps name
// it). A command whose steps the case already has was applied before a
// crash and is not applied again. What the case cannot take — no such
// case, a unit the site does not have, a closed case, a conclusion of a
// case the county does not own — is refused for good, and the refusal
// with its reason goes into the site's event log (refuse), which carries
// it up to the county; anything else (a full disk) is tried again.
func applyCommand(eng *queue.Engine, book *cases.Book) func(context.Context, *county.Command) error {
	return func(ctx context.Context, c *county.Command) error {
		err := carryOut(ctx, eng.Hall(), book, c)
		switch queue.ErrorCode(err) {
		case "":
			return nil
		case queue.EINVALID, queue.ENOTFOUND, queue.ECONFLICT, queue.EFORBIDDEN:
			return refuse(ctx, eng, c, err)
		}
		return err
	}
}

// carryOut applies one command to its case.
func carryOut(ctx context.Context, hall *queue.Hall, book *cases.Book, c *county.Command) error {
	p := queue.Principal{ID: c.Actor(), Name: "县综治中心（" + c.By + "）", Role: queue.RoleSupervisor}
	v, err := book.Case(ctx, p, c.Case)
	if err != nil {
		return err
	}
	for _, st := range v.History {
		if st.Actor == p.Actor() {
			return nil // applied before
		}
	}
	if (c.Kind == county.CommandAssign || c.Kind == county.CommandWarn) && !hall.HasUnit(c.Unit) {
		return queue.Errorf(queue.ENOTFOUND, "本站点没有单位“%s”：县级交办、预警只能指定本站点的单位 (unknown unit)", c.Unit)
	}
	switch c.Kind {
	case county.CommandAssign:
		_, err = book.Route(ctx, p, c.Case, cases.RouteTo{Kind: cases.RouteUnit, Unit: c.Unit, Note: c.Text, Superior: true})
	case county.CommandSupervise:
		level := c.Level
		if ls := book.Notices(); level == "" && len(ls) > 0 {
			level = ls[len(ls)-1].ID // the mildest: the county names a sharper one
		}
		_, err = book.Supervise(ctx, p, c.Case, level, c.Text)
	case county.CommandWarn:
		_, err = book.Warn(ctx, p, c.Case, c.Unit, c.Text)
	case county.CommandRate:
		_, err = book.RateFromCounty(ctx, p, c.Case, c.Satisfied)
	case county.CommandConclude:
		_, err = book.Conclude(ctx, p, c.Case, cases.Result{Outcome: cases.Outcome(c.Outcome), Referral: cases.Referral(c.Referral),
			Note: c.Text, Superior: true})
	default:
		err = queue.Errorf(queue.EINVALID, "未知的县级指令 %q", c.Kind)
	}
	return err
}

// refuse records a refused command in the site's event log, whose stream
// carries the refusal and its reason up to the county, and returns the
// Refused that drops the command. If the log cannot take it (a full disk)
// the error is returned instead and the command is tried again. A crash
// between the record and the command's acknowledgement refuses it again
// and records a second refusal: the county keeps a command's refusal by
// its id, so that changes nothing there.
func refuse(ctx context.Context, eng *queue.Engine, c *county.Command, why error) error {
	r := queue.Refusal{Command: c.ID, Kind: string(c.Kind), Case: c.Case, Reason: queue.ErrorMessage(why)}
	if _, err := eng.Do(ctx, func(tx *queue.Tx) (any, error) {
		tx.EmitRefusal(c.Actor(), r)
		return nil, nil
	}); err != nil {
		return fmt.Errorf("county: recording the refusal of command %s: %w", c.ID, err)
	}
	return &county.Refused{Err: why}
}
