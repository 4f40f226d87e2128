package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"shopfront/db"
	"shopfront/live"
	"shopfront/staffauth"
	"shopfront/views"
)

var openStreams = promauto.NewGaugeVec(prometheus.GaugeOpts{
	Name: "shopfront_live_streams",
	Help: "Live streams (Server-Sent Events) open on this node.",
}, []string{"stream"})

// Live streams. A page renders the id of the newest order event it shows
// and connects with ?after=that id; htmx's SSE extension reconnects by
// itself, sending the id of the last event it got as Last-Event-ID. Either
// way the stream first replays from order_events what came after, then
// goes live: nothing is lost when a stream's node dies or drains.

// streamAfter is the id of the last event the browser has.
func streamAfter(c echo.Context) int64 {
	for _, v := range []string{c.Request().Header.Get("Last-Event-ID"), c.QueryParam("after")} {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id >= 0 {
			return id
		}
	}
	return 0
}

// sseStream writes Server-Sent Events.
type sseStream struct {
	c  echo.Context
	rc *http.ResponseController
}

// errNoStreams means this node cannot serve live streams now.
var errNoStreams = echo.NewHTTPError(http.StatusServiceUnavailable, "streams")

func (s *Server) openStream(c echo.Context, name string) (*sseStream, func(), error) {
	if s.hub == nil || s.draining.Load() {
		c.Response().Header().Set("Retry-After", "1")
		return nil, nil, errNoStreams
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	rc := http.NewResponseController(c.Response())
	_ = rc.SetWriteDeadline(time.Time{}) // the server's write timeout is for pages, not streams
	if err := rc.Flush(); err != nil {
		return nil, nil, err
	}
	openStreams.WithLabelValues(name).Inc()
	return &sseStream{c: c, rc: rc}, func() { openStreams.WithLabelValues(name).Dec() }, nil
}

// send writes one event: its id (0 for none), its name ("" for an unnamed
// message, which htmx swaps) and its data, line by line.
func (st *sseStream) send(id int64, name, data string) error {
	var b strings.Builder
	if id > 0 {
		fmt.Fprintf(&b, "id: %d\n", id)
	}
	if name != "" {
		fmt.Fprintf(&b, "event: %s\n", name)
	}
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: ")
		b.WriteString(strings.TrimRight(line, "\r"))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return st.write(b.String())
}

func (st *sseStream) write(s string) error {
	if _, err := st.c.Response().Write([]byte(s)); err != nil {
		return err
	}
	return st.rc.Flush()
}

// live is a comment saying the replay is over: what follows happens now.
func (st *sseStream) live() error { return st.write(": live\n\n") }

// keepAlive is a comment: proxies (Fly's among them) close a connection
// that says nothing for a minute or so.
func (st *sseStream) keepAlive() error { return st.write(": keep-alive\n\n") }

// boardEvent is what the orders board is told of each order event.
type boardEvent struct {
	OrderID int64  `json:"order_id"`
	Kind    string `json:"kind"`
	Status  string `json:"status,omitempty"`
}

func boardData(e live.Event) string {
	b, _ := json.Marshal(boardEvent{OrderID: e.OrderID, Kind: e.Kind, Status: e.Status})
	return string(b)
}

// Event names the board's page listens for.
const (
	eventOrder        = "order"
	eventSessionEnded = "session-ended"
)

// adminOrderEvents is the orders board's stream: every order event, as the
// named event "order" the board refreshes on. It ends when the staff
// member's session is revoked (on any node) or runs out.
func (s *Server) adminOrderEvents(c echo.Context) error {
	st := currentStaff(c)
	sub, upto := s.hub.Subscribe(func(e live.Event) bool {
		return e.Kind != live.KindSession || e.StaffID == st.ID
	})
	defer sub.Close()
	stream, done, err := s.openStream(c, "board")
	if err != nil {
		return err
	}
	defer done()
	ctx := c.Request().Context()
	after := streamAfter(c)
	missed, err := s.queries.OrderEventsAfter(ctx, db.OrderEventsAfterParams{After: after, Upto: upto})
	if err != nil {
		return nil // the browser reconnects and tries again
	}
	for _, e := range missed {
		if stream.send(e.ID, eventOrder, boardData(live.Event{ID: e.ID, OrderID: e.OrderID, Kind: e.Kind, Status: e.Status})) != nil {
			return nil
		}
	}
	if stream.live() != nil {
		return nil
	}
	// At the session's expiry the stream closes; the browser reconnects,
	// and the sign-in check then says whether it is still good.
	var expiry <-chan time.Time
	if until, ok := c.Get(sessionEndsKey).(time.Time); ok {
		t := time.NewTimer(max(time.Until(until), time.Second))
		defer t.Stop()
		expiry = t.C
	}
	tick := time.NewTicker(s.keep)
	defer tick.Stop()
	for {
		select {
		case e := <-sub.C:
			if e.Kind == live.KindSession {
				if _, err := staffauth.Check(ctx, s.queries, st.Session, st.ID, st.Epoch); errors.Is(err, staffauth.ErrSignedOut) {
					_ = stream.send(0, eventSessionEnded, sessionEndedMessage)
					return nil
				}
				continue
			}
			if e.ID <= after {
				continue // the browser has it (this node's listener was behind)
			}
			if stream.send(e.ID, eventOrder, boardData(e)) != nil {
				return nil
			}
		case <-tick.C:
			if stream.keepAlive() != nil {
				return nil
			}
		case <-sub.Dropped:
			return nil // too far behind: the browser reconnects and catches up
		case <-expiry:
			return nil
		case <-s.drain:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

const sessionEndedMessage = "You were signed out. Sign in again to see new orders; nothing you did was lost."

// endStaffStream answers a staff stream whose session is gone: one event
// saying so (the page stops reconnecting and tells the person), then the end.
func (s *Server) endStaffStream(c echo.Context) error {
	stream, done, err := s.openStream(c, "board")
	if err != nil {
		return err
	}
	defer done()
	_ = stream.send(0, eventSessionEnded, sessionEndedMessage)
	return nil
}

// orderEvents is the customer's stream for one order: its status line,
// re-read and sent whenever the order changes. The order's token is the
// capability, as for its page.
func (s *Server) orderEvents(c echo.Context) error {
	token := c.Param("token")
	if !tokenPattern.MatchString(token) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	o, err := s.queries.OrderByToken(ctx, token)
	if err != nil {
		return err
	}
	sub, upto := s.hub.Subscribe(func(e live.Event) bool { return e.OrderID == o.ID && e.Kind != "placed" })
	defer sub.Close()
	stream, done, err := s.openStream(c, "order")
	if err != nil {
		return err
	}
	defer done()
	update := func(id int64) error {
		o, err := s.queries.OrderByToken(ctx, token)
		if err != nil {
			return err
		}
		html, err := s.fragment(c, views.OrderStatusUpdate(views.OrderView{Order: o}))
		if err != nil {
			return err
		}
		return stream.send(id, "", html)
	}
	missed, err := s.queries.OrderEventsAfter(ctx, db.OrderEventsAfterParams{After: streamAfter(c), Upto: upto, OrderID: o.ID})
	if err != nil {
		return nil
	}
	if n := len(missed); n > 0 {
		// The status line shows the order as it is now: one update covers
		// everything missed.
		if update(missed[n-1].ID) != nil {
			return nil
		}
	}
	if stream.live() != nil {
		return nil
	}
	after := streamAfter(c)
	tick := time.NewTicker(s.keep)
	defer tick.Stop()
	for {
		select {
		case e := <-sub.C:
			if e.ID <= after {
				continue
			}
			if update(e.ID) != nil {
				return nil
			}
		case <-tick.C:
			if stream.keepAlive() != nil {
				return nil
			}
		case <-sub.Dropped:
			return nil
		case <-s.drain:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
