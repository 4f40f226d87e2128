// Package jobs runs Shopfront's background work on River, a job queue in
// the same Postgres: every node works jobs (sending emails, housekeeping),
// periodic jobs are scheduled by River's elected leader only, and a job
// whose node dies is picked up by another. Jobs are inserted by the
// outbox package in the transactions that cause them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"shopfront/config"
	mailer "shopfront/mail"
	"shopfront/outbox"
	"shopfront/views"
)

var (
	emailsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "shopfront_emails_total",
		Help: "Email delivery attempts by kind and outcome: sent, retry (a temporary failure), failed (given up).",
	}, []string{"kind", "outcome"})
	jobsFailed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "shopfront_jobs_failed_total",
		Help: "Jobs that returned an error or panicked, by kind; each is retried until its last attempt.",
	}, []string{"kind"})
)

// RetryPolicy waits Base after the first failure, doubling up to Max, with
// a little jitter so a fleet does not retry in lockstep.
type RetryPolicy struct {
	Base, Max time.Duration
}

// DefaultRetry: 30 s, 1, 2, 4 … up to 1 h between attempts.
var DefaultRetry = RetryPolicy{Base: 30 * time.Second, Max: time.Hour}

// NextRetry implements river.ClientRetryPolicy.
func (p RetryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := p.Base
	for i := 1; i < len(job.Errors) && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	d += time.Duration(rand.Int64N(int64(d)/10 + 1))
	return time.Now().Add(d)
}

// Shop is where emails come from and where their links lead; what they
// say about the shop (its name, contact details) is read from the
// settings when each is sent.
type Shop struct {
	BaseURL  string
	Location *time.Location
	From     mail.Address // without a name, the shop's name is used
	ReplyTo  *mail.Address
	// Host names Message-IDs ("order-1001.confirmation@Host").
	Host string
}

// Config is a node's job queue.
type Config struct {
	Pool    *pgxpool.Pool // River's own connections, apart from the request pool
	Workers int           // jobs this node runs at once; 0 runs none
	Sender  mailer.Sender
	Shop    Shop
	Paths   views.Paths // the route table, for links in emails
	Retry   RetryPolicy
	Log     *slog.Logger
	Now     func() time.Time // nil is time.Now
	// HousekeepingEvery is how often the leader schedules housekeeping.
	HousekeepingEvery time.Duration
	// SendTimeout bounds one email, connection included.
	SendTimeout time.Duration
}

// FromConfig is a node's job queue as configured.
func FromConfig(cfg config.Config, pool *pgxpool.Pool, sender mailer.Sender, paths views.Paths, log *slog.Logger) Config {
	host := "localhost"
	if at := strings.LastIndex(cfg.MailFrom.Address, "@"); at >= 0 {
		host = cfg.MailFrom.Address[at+1:]
	}
	return Config{
		Pool: pool, Workers: cfg.JobWorkers, Sender: sender, Paths: paths, Log: log.With("node", cfg.NodeID),
		Shop: Shop{BaseURL: cfg.BaseURL, Location: cfg.Location, From: cfg.MailFrom, ReplyTo: cfg.ReplyTo, Host: host},
	}
}

// Queue is a node's River client.
type Queue struct {
	client  *river.Client[pgx.Tx]
	working bool
	log     *slog.Logger
}

// NewInserter returns a River client that only inserts jobs (in callers'
// transactions); it runs nothing and needs no Start.
func NewInserter(pool *pgxpool.Pool) (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
}

// New builds the node's job queue. Start it to begin working jobs.
func New(cfg Config) (*Queue, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetry
	}
	if cfg.HousekeepingEvery == 0 {
		cfg.HousekeepingEvery = time.Hour
	}
	if cfg.SendTimeout == 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	log := cfg.Log.With("component", "jobs")
	workers := river.NewWorkers()
	river.AddWorker(workers, &emailWorker{cfg: cfg, log: log})
	river.AddWorker(workers, &housekeepingWorker{pool: cfg.Pool, now: cfg.Now, log: log})
	river.AddWorker(workers, &anonymiseWorker{pool: cfg.Pool, now: cfg.Now, log: log})
	river.AddWorker(workers, &makeSlotsWorker{pool: cfg.Pool, now: cfg.Now, loc: cfg.Shop.Location, log: log})

	rc := &river.Config{
		Workers:     workers,
		RetryPolicy: cfg.Retry,
		Logger:      slog.New(warnOnly{log.Handler()}),
		// Longer than any email may take, shorter than River's rescue of
		// a job whose node died (one hour by default).
		JobTimeout: 2 * time.Minute,
		// River fetches at most every FetchCooldown, up to Workers jobs at a
		// time; its default (100 ms) caps 4 workers at 40 emails/s.
		FetchCooldown:               20 * time.Millisecond,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		CancelledJobRetentionPeriod: 7 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		ErrorHandler:                &errorHandler{log: log},
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(cfg.HousekeepingEvery),
				func() (river.JobArgs, *river.InsertOpts) {
					return outbox.Housekeeping{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: cfg.HousekeepingEvery}}
				}, &river.PeriodicJobOpts{RunOnStart: true, ID: "housekeeping"}),
			river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
				func() (river.JobArgs, *river.InsertOpts) {
					return outbox.Anonymise{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
				}, &river.PeriodicJobOpts{RunOnStart: true, ID: "anonymise"}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) {
					return outbox.MakeSlots{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
				}, &river.PeriodicJobOpts{RunOnStart: true, ID: "make_slots"}),
		},
	}
	if cfg.Workers > 0 {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), rc)
	if err != nil {
		return nil, fmt.Errorf("setting up the job queue: %w", err)
	}
	return &Queue{client: client, working: cfg.Workers > 0, log: log}, nil
}

// InsertTx inserts a job in tx (outbox.Inserter).
func (q *Queue) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return q.client.InsertTx(ctx, tx, args, opts)
}

// Start begins fetching and working jobs (nothing, with no workers).
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("starting the job queue: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones until ctx ends;
// then it cancels what is still running (River retries it elsewhere).
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	q.log.Info("job queue stopping: no new jobs are taken, running ones finish")
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		q.log.Warn("jobs still running at the shutdown timeout were cancelled; another node retries them")
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return q.client.StopAndCancel(hard)
	}
	return err
}

// errorHandler logs and counts job failures; River retries them.
type errorHandler struct{ log *slog.Logger }

func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	jobsFailed.WithLabelValues(job.Kind).Inc()
	h.log.LogAttrs(ctx, slog.LevelWarn, "job failed", slog.String("kind", job.Kind), slog.Int64("job_id", job.ID),
		slog.Int("attempt", job.Attempt), slog.Int("max_attempts", job.MaxAttempts), slog.String("error", err.Error()))
	return nil
}

func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	jobsFailed.WithLabelValues(job.Kind).Inc()
	h.log.LogAttrs(ctx, slog.LevelError, "job panicked", slog.String("kind", job.Kind), slog.Int64("job_id", job.ID),
		slog.String("panic", fmt.Sprint(v)), slog.String("stack", trace))
	return nil
}

// warnOnly passes on River's own warnings and errors, not its chatter.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(a)} }
func (h warnOnly) WithGroup(name string) slog.Handler   { return warnOnly{h.Handler.WithGroup(name)} }
