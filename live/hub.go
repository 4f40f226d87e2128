// Package live tells a node's browsers what happened to orders, whichever
// node made the change: each node holds one dedicated Postgres connection
// that LISTENs for the NOTIFY every order event sends at commit, and fans
// the events out to its own open streams (Server-Sent Events). Nothing is
// kept only in memory: every event is an order_events row, and a stream
// that reconnects replays what it missed from Postgres by event id.
package live

import (
	"slices"
	"sync"
	"time"
)

// Event is one order event, or a staff session change.
type Event struct {
	ID      int64  `json:"id"` // order_events id; 0 for session changes
	OrderID int64  `json:"order_id"`
	Kind    string `json:"kind"` // placed, status_changed, paid; "session" for staff sign-outs
	Status  string `json:"status,omitempty"`
	StaffID int64  `json:"staff_id,omitempty"` // for session changes
}

// Subscription receives the events its filter accepts, in event id order.
type Subscription struct {
	C      <-chan Event
	c      chan Event
	filter func(Event) bool
	hub    *Hub
	// Dropped is closed when the subscriber fell too far behind: it must
	// reconnect and catch up from Postgres.
	Dropped chan struct{}
	once    sync.Once
}

// Close ends the subscription.
func (s *Subscription) Close() { s.hub.unsubscribe(s) }

// subscriptionBuffer is how many events a slow stream may lag behind
// before it is dropped (and reconnects, replaying from Postgres).
const subscriptionBuffer = 256

// Hub fans events out to a node's subscribers. Order events are released in
// id order: an event whose predecessor has not arrived yet (its transaction
// took its id first but committed later) waits up to holdBack for it, so
// that a stream's last event id is a safe place to resume from.
type Hub struct {
	mu        sync.Mutex
	subs      map[*Subscription]struct{}
	watermark int64           // every order event id up to here was released or given up on
	pending   map[int64]Event // arrived ahead of a missing id
	gapTimer  *time.Timer
	holdBack  time.Duration
	skipped   map[int64]bool // ids given up on; if one arrives late it is released at once
}

// NewHub returns a hub that has released every event up to watermark.
func NewHub(watermark int64, holdBack time.Duration) *Hub {
	return &Hub{subs: map[*Subscription]struct{}{}, watermark: watermark, pending: map[int64]Event{},
		holdBack: holdBack, skipped: map[int64]bool{}}
}

// Subscribe starts receiving events accepted by filter that are released
// after this moment, and returns the watermark: every event with an id up
// to it has been released before, so the subscriber replays (after,
// watermark] from Postgres and takes the rest from the subscription.
func (h *Hub) Subscribe(filter func(Event) bool) (*Subscription, int64) {
	c := make(chan Event, subscriptionBuffer)
	s := &Subscription{C: c, c: c, filter: filter, hub: h, Dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	return s, h.watermark
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Subscribers is how many streams are open on this node.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Watermark is the highest order event id up to which all were released.
func (h *Hub) Watermark() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.watermark
}

// Publish hands an event to the hub. Session events go out at once; order
// events in id order, each once however often it is published (a backlog
// read after a reconnect overlaps with notifications).
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ID == 0 {
		h.send(e)
		return
	}
	switch {
	case e.ID <= h.watermark:
		if h.skipped[e.ID] { // late: its transaction committed after we gave up waiting
			delete(h.skipped, e.ID)
			h.send(e)
		}
		return
	case e.ID == h.watermark+1:
		h.release(e)
		h.drain()
	default:
		h.pending[e.ID] = e
	}
	h.armGapTimer()
}

// release sends e and moves the watermark past it. Caller holds mu.
func (h *Hub) release(e Event) {
	h.watermark = e.ID
	h.send(e)
}

// drain releases pending events that are now next in line. Caller holds mu.
func (h *Hub) drain() {
	for {
		e, ok := h.pending[h.watermark+1]
		if !ok {
			return
		}
		delete(h.pending, e.ID)
		h.release(e)
	}
}

// armGapTimer waits holdBack for a missing id, then gives up on the gap
// (an id of a rolled-back transaction is never seen). Caller holds mu.
func (h *Hub) armGapTimer() {
	if len(h.pending) == 0 {
		if h.gapTimer != nil {
			h.gapTimer.Stop()
			h.gapTimer = nil
		}
		return
	}
	if h.gapTimer != nil {
		return
	}
	h.gapTimer = time.AfterFunc(h.holdBack, h.giveUpOnGap)
}

func (h *Hub) giveUpOnGap() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gapTimer = nil
	if len(h.pending) == 0 {
		return
	}
	ids := make([]int64, 0, len(h.pending))
	for id := range h.pending {
		ids = append(ids, id)
	}
	next := slices.Min(ids)
	for id := h.watermark + 1; id < next; id++ {
		h.skipped[id] = true
	}
	h.pruneSkipped(next)
	h.watermark = next - 1
	h.drain()
	h.armGapTimer()
}

// pruneSkipped forgets gaps long past: a transaction does not commit
// thousands of events later. Caller holds mu.
func (h *Hub) pruneSkipped(now int64) {
	for id := range h.skipped {
		if id < now-10_000 {
			delete(h.skipped, id)
		}
	}
}

// send delivers to every interested subscriber without waiting: one that
// is too far behind is dropped. Caller holds mu.
func (h *Hub) send(e Event) {
	for s := range h.subs {
		if s.filter != nil && !s.filter(e) {
			continue
		}
		select {
		case s.c <- e:
		default:
			delete(h.subs, s)
			s.once.Do(func() { close(s.Dropped) })
		}
	}
}
