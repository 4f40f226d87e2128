package handlers

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics, exposed by the metrics listener (cmd/shopfront).
var (
	cookieRejections = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "shopfront_cookie_rejected_total",
		Help: "Cookies treated as absent and deleted, by cookie and reason.",
	}, []string{"cookie", "reason"})

	pagesFromMemory = promauto.NewCounter(prometheus.CounterOpts{
		Name: "shopfront_pages_from_memory_total",
		Help: "Catalogue, product and cart pages shown from what this node last showed, because the database could not answer.",
	})

	requestDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shopfront_http_request_duration_seconds",
		Help:    "Time to serve requests, by route, method and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "method", "status"})
)
