package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"shopfront/apptest"
)

func TestPanicsBecomeAnErrorPageAndOneLogLine(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Nodes: 1})
	c.Nodes[0].App.AddTestRoute("/boom", func(echo.Context) error { panic("secret internal detail") })
	r := c.Client().Get(t, "/boom")
	if r.StatusCode != http.StatusInternalServerError || !strings.Contains(r.Body, "Something went wrong") {
		t.Fatalf("panic: %d", r.StatusCode)
	}
	if strings.Contains(r.Body, "secret internal detail") {
		t.Fatal("the page leaks the internal error")
	}
	id := r.Header.Get("X-Request-Id")
	if n := strings.Count(c.Logs(), `"msg":"internal error","node":"node-1","request_id":"`+id); n != 1 {
		t.Fatalf("internal error logged %d times with the request id, want once:\n%s", n, c.Logs())
	}
}
