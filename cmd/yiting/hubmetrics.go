package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"yiting/queue/county/countyview"
)

// linkCollector serves each site's link and how far the county's view of
// it stands on /metrics (issue 14, item 6): the links as the hub's NATS
// server last told them (hubLinks, refreshed every 2 s, so a scrape
// costs the server nothing) and the read model's own record of each site.
type linkCollector struct {
	links *hubLinks
	model *countyview.Model
	log   *slog.Logger
}

var (
	linkUpDesc    = prometheus.NewDesc("yiting_county_site_link_up", "1 when the hub heard from the site's stream in the last 10 s.", []string{"site"}, nil)
	lastEventDesc = prometheus.NewDesc("yiting_county_site_last_event", "The site's last event in the county stream (its sequence in the site's log).", []string{"site"}, nil)
	siteLagDesc   = prometheus.NewDesc("yiting_county_site_lag_messages", "Messages of the site's stream beyond the county's, when the hub last heard from it.", []string{"site"}, nil)
	seenDesc      = prometheus.NewDesc("yiting_county_site_seen_seconds", "Seconds since the hub last heard from the site; -1: not since the hub started.", []string{"site"}, nil)
	viewEventDesc = prometheus.NewDesc("yiting_county_site_view_event", "The site's last event in the hub's read model: what the county's pages show.", []string{"site"}, nil)
	missingDesc   = prometheus.NewDesc("yiting_county_site_missing_events", "The site's events the county never received (its stream dropped them while cut off).", []string{"site"}, nil)
	pendingDesc   = prometheus.NewDesc("yiting_county_view_pending_messages", "Messages of the county stream the read model has yet to apply.", nil, nil)
)

func (c linkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{linkUpDesc, lastEventDesc, siteLagDesc, seenDesc, viewEventDesc, missingDesc, pendingDesc} {
		ch <- d
	}
}

func (c linkCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range c.links.raw() {
		up, seen := 0.0, -1.0
		if l.Up {
			up = 1
		}
		if l.Seen >= 0 {
			seen = l.Seen.Seconds()
		}
		ch <- prometheus.MustNewConstMetric(linkUpDesc, prometheus.GaugeValue, up, l.Site)
		ch <- prometheus.MustNewConstMetric(lastEventDesc, prometheus.GaugeValue, float64(l.LastEvent), l.Site)
		ch <- prometheus.MustNewConstMetric(siteLagDesc, prometheus.GaugeValue, float64(l.Lag), l.Site)
		ch <- prometheus.MustNewConstMetric(seenDesc, prometheus.GaugeValue, seen, l.Site)
	}
	views, err := c.model.Links()
	if err != nil {
		c.log.Warn("county read model's links", "err", err)
		return
	}
	for site, v := range views {
		ch <- prometheus.MustNewConstMetric(viewEventDesc, prometheus.GaugeValue, float64(v.Last), site)
		ch <- prometheus.MustNewConstMetric(missingDesc, prometheus.GaugeValue, float64(v.Missing), site)
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(c.model.Pending()))
}
