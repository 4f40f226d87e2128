// Package mail hands finished messages to a mail server: an SMTP server in
// production (through github.com/wneessen/go-mail, which builds the MIME
// and handles STARTTLS, implicit TLS and SMTP AUTH), or the development
// mailbox in Postgres. What a message says is decided elsewhere (the jobs
// package, with templ views); this package only moves it.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email to one recipient, with a text and an HTML body.
type Message struct {
	From      mail.Address
	ReplyTo   *mail.Address
	To        mail.Address
	Subject   string
	Text      string
	HTML      string
	MessageID string // without angle brackets, e.g. "order-1001.confirmation@shop.example"
	Date      time.Time
}

// Sender delivers a message or says why it could not.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError means the server refused the message for good (an SMTP
// 5xx reply): trying again would fail the same way.
type PermanentError struct {
	Code int
	Err  error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a refusal that retrying cannot cure.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// header makes a value safe for a header line whatever it came from: no
// line breaks or other control characters, so no header can be added.
func header(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func address(a mail.Address) *mail.Address {
	return &mail.Address{Name: header(a.Name), Address: header(a.Address)}
}

// build turns m into a go-mail message: multipart/alternative, text first.
func build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	msg.FromMailAddress(address(m.From))
	if _, err := mail.ParseAddress(m.To.Address); err != nil || strings.ContainsAny(m.To.Address, ",;\r\n") {
		return nil, &PermanentError{Err: fmt.Errorf("recipient %q is not one email address", m.To.Address)}
	}
	msg.ToMailAddress(address(m.To))
	if m.ReplyTo != nil {
		msg.ReplyToMailAddress(address(*m.ReplyTo))
	}
	msg.Subject(header(m.Subject))
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(header(m.MessageID))
	}
	if m.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.Date)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Raw is the message as it goes over the wire (RFC 5322), for the
// development mailbox and tests.
func Raw(m Message) ([]byte, error) {
	msg, err := build(m)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// Server is where SMTP_URL points.
type Server struct {
	Host     string
	Port     int
	Implicit bool // smtps://: TLS from the first byte; otherwise STARTTLS when offered
	Username string
	Password string
}

// ParseURL reads an SMTP_URL: smtp://user:pass@host:port (STARTTLS when the
// server offers it, default port 587) or smtps://… (implicit TLS, default
// port 465). User and password are optional and percent-decoded.
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Opaque != "" {
		return Server{}, errors.New("SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return Server{}, errors.New("SMTP_URL must not have a path or query: smtp://user:password@host:587")
	}
	s := Server{Host: u.Hostname(), Implicit: u.Scheme == "smtps", Port: 587}
	if s.Implicit {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, fmt.Errorf("SMTP_URL has a bad port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// String is the server without its password, for logs.
func (s Server) String() string {
	scheme := "smtp"
	if s.Implicit {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// SMTP sends through an SMTP server, one connection per message: a node
// sends a few emails a minute, and a fresh connection never finds a server
// that timed out an idle one.
type SMTP struct {
	server  Server
	timeout time.Duration
	roots   *x509.CertPool
}

// NewSMTP returns a Sender for server; timeout bounds each message end to
// end, connection included.
func NewSMTP(server Server, timeout time.Duration) *SMTP {
	return &SMTP{server: server, timeout: timeout}
}

// TrustRoots makes the sender trust only these certificate authorities,
// for a mail server with a private certificate; nil means the system's.
func (s *SMTP) TrustRoots(roots *x509.CertPool) *SMTP {
	s.roots = roots
	return s
}

// Send delivers m. A 5xx reply is a *PermanentError; anything else that
// fails (4xx, a refused connection, a timeout) is worth trying again.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := build(m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.server.Port), gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.server.Host, RootCAs: s.roots, MinVersion: tls.VersionTLS12})}
	if s.server.Implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.server.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.server.Username), gomail.WithPassword(s.server.Password))
	}
	client, err := gomail.NewClient(s.server.Host, opts...)
	if err != nil {
		return fmt.Errorf("setting up the SMTP client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err = client.DialAndSendWithContext(ctx, msg)
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) && !sendErr.IsTemp() && sendErr.ErrorCode() >= 500 {
		return &PermanentError{Code: sendErr.ErrorCode(), Err: err}
	}
	return err
}
