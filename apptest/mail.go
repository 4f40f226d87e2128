package apptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the MailSink accepted, as the server received it.
type Mail struct {
	From      string   // envelope sender
	To        []string // envelope recipients
	Raw       []byte
	Header    mail.Header
	Subject   string
	MessageID string
	Text      string
	HTML      string
}

// Rcpts says whom a message went to, from the envelope.
func (m Mail) Rcpts() string { return strings.Join(m.To, ",") }

// MailSink is a real SMTP server (github.com/emersion/go-smtp) in the test
// process: it accepts mail on a local port and keeps it for the test to
// read. Refuse makes it answer RCPT with an SMTP error, to test faults.
type MailSink struct {
	Addr     string // host:port
	Username string // when set, AUTH PLAIN with these is required
	Password string
	RootCAs  *x509.CertPool // trusts the sink's certificate, with TLS

	mu      sync.Mutex
	msgs    []Mail
	refuse  func(rcpt string) *smtp.SMTPError
	arrived chan struct{} // closed and replaced on every new message
	rcpts   int           // RCPT commands seen, accepted or not
	hold    *hold         // when set, DATA waits for its release
}

type hold struct {
	once    sync.Once
	held    chan struct{} // closed when a message waits
	release chan struct{}
}

// NewMailSink starts an SMTP server for the test, stopped when it ends.
func NewMailSink(t testing.TB) *MailSink {
	t.Helper()
	return NewMailSinkWith(t, MailSinkOptions{})
}

// MailSinkOptions shape NewMailSinkWith.
type MailSinkOptions struct {
	// Username and Password, when set, are required (AUTH PLAIN, which is
	// only ever offered after STARTTLS: set TLS too).
	Username, Password string
	// TLS offers STARTTLS with a certificate made for the test; the sink's
	// RootCAs trust it.
	TLS bool
}

// NewMailSinkWith starts an SMTP server with options.
func NewMailSinkWith(t testing.TB, opts MailSinkOptions) *MailSink {
	t.Helper()
	s := &MailSink{arrived: make(chan struct{}), Username: opts.Username, Password: opts.Password}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	srv.Domain = "localhost"
	if opts.TLS {
		cert, pool := selfSignedCert(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.RootCAs = pool
	}
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the SMTP sink: %v", err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the sink as an SMTP_URL.
func (s *MailSink) URL() string {
	if s.Username != "" {
		return "smtp://" + s.Username + ":" + s.Password + "@" + s.Addr
	}
	return "smtp://" + s.Addr
}

// Refuse sets how RCPT is answered: a non-nil error refuses that
// recipient. nil accepts everything again.
func (s *MailSink) Refuse(f func(rcpt string) *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = f
}

// Hold makes every message wait in DATA, its sender's connection open,
// until release is called; held is closed as soon as one waits. A test
// holds a send in flight with it.
func (s *MailSink) Hold() (held <-chan struct{}, release func()) {
	h := &hold{held: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.hold = h
	s.mu.Unlock()
	var once sync.Once
	return h.held, func() { once.Do(func() { close(h.release) }) }
}

// Messages is everything accepted so far.
func (s *MailSink) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// Rcpts is how many RCPT commands the server has seen, accepted or not.
func (s *MailSink) Rcpts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcpts
}

// Matching is the accepted messages for which match is true.
func (s *MailSink) Matching(match func(Mail) bool) []Mail {
	var out []Mail
	for _, m := range s.Messages() {
		if match(m) {
			out = append(out, m)
		}
	}
	return out
}

// WaitFor waits until at least n accepted messages match, and returns them
// all; it fails the test after timeout.
func (s *MailSink) WaitFor(t testing.TB, n int, timeout time.Duration, what string, match func(Mail) bool) []Mail {
	t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		arrived := s.arrived
		s.mu.Unlock()
		if got := s.Matching(match); len(got) >= n {
			return got
		}
		select {
		case <-arrived:
		case <-deadline:
			got := s.Matching(match)
			var subjects []string
			for _, m := range s.Messages() {
				subjects = append(subjects, m.Rcpts()+": "+m.Subject)
			}
			t.Fatalf("waited %v for %d× %s, got %d; all mail: %q", timeout, n, what, len(got), subjects)
		}
	}
}

// To matches messages sent to addr.
func To(addr string) func(Mail) bool {
	return func(m Mail) bool {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				return true
			}
		}
		return false
	}
}

// SubjectHas matches messages to addr whose subject contains text.
func SubjectHas(addr, text string) func(Mail) bool {
	to := To(addr)
	return func(m Mail) bool { return to(m) && strings.Contains(m.Subject, text) }
}

func (s *MailSink) deliver(m Mail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

type sinkSession struct {
	sink   *MailSink
	from   string
	to     []string
	authed bool
}

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.sink.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.sink.Username || password != ss.sink.Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	ss.sink.rcpts++
	refuse := ss.sink.refuse
	ss.sink.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.sink.mu.Lock()
	h := ss.sink.hold
	ss.sink.mu.Unlock()
	if h != nil {
		h.once.Do(func() { close(h.held) })
		<-h.release
	}
	m, err := ParseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m.From, m.To = ss.from, ss.to
	ss.sink.deliver(m)
	return nil
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

// ParseMail reads a message: its headers, subject, and its text and HTML
// parts, decoded.
func ParseMail(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	m := Mail{Raw: raw, Header: msg.Header, MessageID: strings.Trim(msg.Header.Get("Message-Id"), "<>")}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, err
	}
	err = readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m)
	return m, err
}

func readPart(contentType, encoding string, body io.Reader, m *Mail) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if err := readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mediaType {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

var mailLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// LinkIn returns the first link in the message's text whose path starts
// with prefix, or fails the test.
func LinkIn(t testing.TB, m Mail, prefix string) string {
	t.Helper()
	for _, l := range mailLink.FindAllString(m.Text, -1) {
		if u, err := url.Parse(l); err == nil && strings.HasPrefix(u.Path, prefix) {
			return l
		}
	}
	t.Fatalf("no %s… link in the email %q:\n%s", prefix, m.Subject, m.Text)
	return ""
}

// selfSignedCert makes a certificate for 127.0.0.1, valid for an hour.
func selfSignedCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail sink"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
