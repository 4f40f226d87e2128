package mail_test

import (
	"context"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shopfront/apptest"
	"shopfront/mail"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]mail.Server{
		"smtp://mail.example":                      {Host: "mail.example", Port: 587},
		"smtps://mail.example":                     {Host: "mail.example", Port: 465, Implicit: true},
		"smtp://u%40shop.example:p%3Ass@mail:2525": {Host: "mail", Port: 2525, Username: "u@shop.example", Password: "p:ss"},
		"smtps://apikey:secret@smtp.mail.example/": {Host: "smtp.mail.example", Port: 465, Implicit: true, Username: "apikey", Password: "secret"},
	} {
		got, err := mail.ParseURL(raw)
		if err != nil || got != want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"mail.example:587", "http://mail.example", "smtp://", "smtp://mail.example:99999", "smtp://mail.example/path", "smtp://mail.example?tls=off"} {
		if _, err := mail.ParseURL(raw); err == nil {
			t.Errorf("ParseURL(%q) accepted", raw)
		}
	}
	if s, _ := mail.ParseURL("smtp://user:secret@mail.example"); strings.Contains(s.String(), "secret") {
		t.Errorf("the server's description %q shows the password", s.String())
	}
}

func message(to netmail.Address) mail.Message {
	return mail.Message{
		From: netmail.Address{Name: "Hilltop Bakery", Address: "orders@hilltop.example"}, To: to,
		Subject: "Your order\r\nBcc: spy@evil.example", Text: "Hello", HTML: "<p>Hello</p>", MessageID: "order-1.test@hilltop.example",
	}
}

// Line breaks in names or subjects can never start a header of their own.
func TestNoHeaderCanBeInjected(t *testing.T) {
	raw, err := mail.Raw(message(netmail.Address{Name: "Eve\r\nBcc: spy@evil.example\r\n", Address: "eve@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	headers, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, line := range strings.Split(headers, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Fatalf("a Bcc header was injected:\n%s", headers)
		}
	}
	m, err := apptest.ParseMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Hello" || m.HTML != "<p>Hello</p>" || m.MessageID != "order-1.test@hilltop.example" {
		t.Fatalf("parts %q / %q, Message-ID %q", m.Text, m.HTML, m.MessageID)
	}
	for _, bad := range []string{"a@example.com, b@example.com", "a@example.com\r\nb@example.com", "not an address"} {
		if _, err := mail.Raw(message(netmail.Address{Address: bad})); !mail.IsPermanent(err) {
			t.Errorf("recipient %q: %v, want a permanent refusal", bad, err)
		}
	}
}

func TestSMTPSendsWithCredentialsAndSaysWhichFailuresArePermanent(t *testing.T) {
	sink := apptest.NewMailSinkWith(t, apptest.MailSinkOptions{Username: "shop", Password: "s3cret", TLS: true})
	server, err := mail.ParseURL(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Credentials never go in the clear: without trusting the sink's
	// certificate there is no TLS, and so no sign-in and no mail.
	if err := mail.NewSMTP(server, 10*time.Second).Send(ctx, message(netmail.Address{Address: "ada@example.com"})); err == nil {
		t.Fatal("sent to a server whose certificate nobody trusts")
	}
	if err := mail.NewSMTP(server, 10*time.Second).TrustRoots(sink.RootCAs).Send(ctx, message(netmail.Address{Address: "ada@example.com"})); err != nil {
		t.Fatalf("sending with credentials over STARTTLS: %v", err)
	}
	if got := sink.Matching(apptest.To("ada@example.com")); len(got) != 1 || got[0].From != "orders@hilltop.example" {
		t.Fatalf("delivered: %+v", got)
	}
	wrong := server
	wrong.Password = "guess"
	if err := mail.NewSMTP(wrong, 10*time.Second).TrustRoots(sink.RootCAs).Send(ctx, message(netmail.Address{Address: "ada@example.com"})); err == nil {
		t.Fatal("sent with a wrong password")
	}

	sink.Refuse(func(rcpt string) *smtp.SMTPError {
		if rcpt == "busy@example.com" {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	})
	if err := mail.NewSMTP(server, 10*time.Second).TrustRoots(sink.RootCAs).Send(ctx, message(netmail.Address{Address: "busy@example.com"})); err == nil || mail.IsPermanent(err) {
		t.Fatalf("451: %v, want a temporary failure", err)
	}
	if err := mail.NewSMTP(server, 10*time.Second).TrustRoots(sink.RootCAs).Send(ctx, message(netmail.Address{Address: "gone@example.com"})); !mail.IsPermanent(err) {
		t.Fatalf("550: %v, want a permanent failure", err)
	}
	// A server that is not there is worth trying again later.
	gone := server
	gone.Port = 1
	if err := mail.NewSMTP(gone, 2*time.Second).Send(ctx, message(netmail.Address{Address: "ada@example.com"})); err == nil || mail.IsPermanent(err) {
		t.Fatalf("no server: %v, want a temporary failure", err)
	}
}
