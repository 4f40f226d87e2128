package apptest

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Client is one visitor with a cookie jar, talking to a Cluster.
type Client struct {
	HTTP *http.Client
	base string
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends req (a path relative to the cluster, or an absolute URL) and
// reads the whole body.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	if req.URL.Host == "" {
		u, _ := url.Parse(c.base + req.URL.String())
		req.URL = u
		req.Host = u.Host
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", req.Method, req.URL, err)
	}
	return &Response{Response: resp, Body: string(body)}
}

// Try is Do for requests that may fail (a node or the database away): a
// transport error is returned, not fatal.
func (c *Client) Try(req *http.Request) (*Response, error) {
	if req.URL.Host == "" {
		u, _ := url.Parse(c.base + req.URL.String())
		req.URL = u
		req.Host = u.Host
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Response: resp, Body: string(body)}, nil
}

// TryGet is Get returning transport errors.
func (c *Client) TryGet(path string, headers ...string) (*Response, error) {
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	setHeaders(req, headers)
	return c.Try(req)
}

// TryPostForm is PostForm returning transport errors.
func (c *Client) TryPostForm(path string, form url.Values, headers ...string) (*Response, error) {
	req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.base)
	setHeaders(req, headers)
	return c.Try(req)
}

// Get fetches path; headers are name/value pairs.
func (c *Client) Get(t testing.TB, path string, headers ...string) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	setHeaders(req, headers)
	return c.Do(t, req)
}

// PostForm posts form values to path as a browser form would, from the
// shop's own pages (same-origin Fetch Metadata); headers are name/value pairs
// and may override those.
func (c *Client) PostForm(t testing.TB, path string, form url.Values, headers ...string) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.base)
	setHeaders(req, headers)
	return c.Do(t, req)
}

// Cookie returns the value of the named cookie the client holds, or "".
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie plants a cookie in the client's jar, as a tampering visitor would.
func (c *Client) SetCookie(name, value string) {
	u, _ := url.Parse(c.base)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true}})
}

func setHeaders(req *http.Request, headers []string) {
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
}

// clientTimeout bounds a test's request: longer than the nodes' own request
// deadline in tests (90 s), so a slow answer is seen as what the node said.
const clientTimeout = 2 * time.Minute

// NewClient is a visitor talking to base directly (a node's own address,
// plain http), with its own cookie jar and without following redirects.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: clientTimeout}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{HTTP: hc, base: base}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// HiddenFields are the hidden inputs of a page's forms (CSRF token,
// checkout lines, idempotency key).
func HiddenFields(page string) url.Values {
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	return form
}

// Order is a pickup order as a customer without JavaScript places it.
type Order struct {
	ProductID int64
	Quantity  int
	SlotID    int64
	// DeliveryDay, when set, delivers the order on that delivery day (see
	// AddDeliveryDay) to Postcode, in the test shop's zone by default.
	DeliveryDay int64
	Postcode    string
	Name, Email string
	Headers     []string // name/value pairs for every request
}

// PlaceOrder puts the product into the cart, opens the checkout and places
// the order; it returns the checkout's answer (303 to the order page).
func (c *Client) PlaceOrder(t testing.TB, o Order) *Response {
	t.Helper()
	if o.Quantity == 0 {
		o.Quantity = 1
	}
	if o.Name == "" {
		o.Name = "Ada Lovelace"
	}
	if o.Email == "" {
		o.Email = "ada@example.com"
	}
	r := c.Submit(t, "/", "/cart/add", url.Values{"product_id": {strconv.FormatInt(o.ProductID, 10)}, "quantity": {strconv.Itoa(o.Quantity)}}, o.Headers...)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding to the cart: %d", r.StatusCode)
	}
	checkout := c.Get(t, "/checkout", o.Headers...)
	if checkout.StatusCode != http.StatusOK {
		t.Fatalf("the checkout: %d", checkout.StatusCode)
	}
	form := HiddenFields(checkout.Body)
	form.Set("name", o.Name)
	form.Set("email", o.Email)
	form.Set("phone", "0117 496 0000")
	if o.DeliveryDay != 0 {
		if o.Postcode == "" {
			o.Postcode = "BS6 5AA"
		}
		form.Set("fulfilment", "delivery")
		form.Set("address", "1 Delivery Road\nBristol")
		form.Set("postcode", o.Postcode)
		form.Set("delivery_slot_id", strconv.FormatInt(o.DeliveryDay, 10))
	} else {
		form.Set("fulfilment", "pickup")
		form.Set("slot_id", strconv.FormatInt(o.SlotID, 10))
	}
	return c.PostForm(t, "/checkout", form, o.Headers...)
}

// At is the same visitor (the same cookies) talking to another address,
// as a browser whose requests a load balancer sends to another node.
func (c *Client) At(base string) *Client {
	return &Client{HTTP: c.HTTP, base: base}
}

// Upload posts a file the way a browser submits a file form on the page
// from: multipart, with that page's CSRF token and the other fields.
func (c *Client) Upload(t testing.TB, from, path, field, filename, contentType string, data []byte, fields url.Values) *Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	fields.Set("csrf_token", c.Token(t, from))
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, filename))
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(t, req)
}
