package apptest

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// SSE is one Server-Sent Event as a browser would see it.
type SSE struct {
	ID, Event, Data string
}

// Stream is an open live stream, read the way a browser's EventSource
// (or htmx's SSE extension) reads it.
type Stream struct {
	Status int
	Header http.Header
	events chan SSE
	cancel context.CancelFunc
	done   chan struct{}
	isLive chan struct{} // closed at the server's ": live" comment
}

// OpenStream opens path as a live stream; lastEventID, when not empty, is
// sent as Last-Event-ID, as on a reconnection. headers are name/value pairs.
func (c *Client) OpenStream(t testing.TB, path, lastEventID string, headers ...string) *Stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html, text/event-stream")
	req.Header.Set("HX-Request", "true")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	setHeaders(req, headers)
	hc := *c.HTTP
	hc.Timeout = 0 // a stream stays open
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("opening the stream %s: %v", path, err)
	}
	s := &Stream{Status: resp.StatusCode, Header: resp.Header, events: make(chan SSE, 1024), cancel: cancel, done: make(chan struct{}), isLive: make(chan struct{})}
	var liveOnce sync.Once
	go func() {
		defer close(s.done)
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var e SSE
		var data []string
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if data != nil || e.Event != "" {
					e.Data = strings.Join(data, "\n")
					s.events <- e
				}
				e, data = SSE{}, nil
				continue
			}
			if line == ": live" {
				liveOnce.Do(func() { close(s.isLive) })
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				e.ID = value
			case "event":
				e.Event = value
			case "data":
				data = append(data, value)
			}
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// WaitLive waits until the server has replayed what the stream missed and
// gone live.
func (s *Stream) WaitLive(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-s.isLive:
	case <-s.done:
		t.Fatal("the stream ended before it went live")
	case <-time.After(timeout):
		t.Fatalf("the stream did not go live within %v", timeout)
	}
}

// Next waits for the next event; ok is false when the stream ended first.
// It fails the test after timeout.
func (s *Stream) Next(t testing.TB, timeout time.Duration) (SSE, bool) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		return e, ok
	case <-time.After(timeout):
		t.Fatalf("no event on the stream within %v", timeout)
		return SSE{}, false
	}
}

// NextWithin returns the next event if one comes within wait.
func (s *Stream) NextWithin(wait time.Duration) (SSE, bool) {
	select {
	case e, ok := <-s.events:
		return e, ok
	case <-time.After(wait):
		return SSE{}, false
	}
}

// Ended waits until the server closes the stream, failing after timeout.
func (s *Stream) Ended(t testing.TB, timeout time.Duration) []SSE {
	t.Helper()
	var rest []SSE
	deadline := time.After(timeout)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return rest
			}
			rest = append(rest, e)
		case <-deadline:
			t.Fatalf("the stream was still open after %v", timeout)
		}
	}
}

// Close closes the stream from the browser's side.
func (s *Stream) Close() {
	s.cancel()
	<-s.done
}
