package main

import (
	"context"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	hallconfig "yiting/firmware-config"
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
	cmds, err := county.NewCommands(ctx, county.CommandsOptions{Site: c.Site, Conn: srv.Conn(), Apply: county.Apply(s.eng, s.book), Logger: s.log})
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
			Help: "The county's commands this site could not apply (no such case, an unknown unit…), since it started; the county's case page says why."},
			func() float64 { return float64(cmds.Refused()) }),
	}
	return metrics, nil
}
