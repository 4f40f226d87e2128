package main

import (
	"io"
	"net"
	"sync/atomic"

	"github.com/emersion/go-smtp"
)

// mailSink is a local SMTP server that accepts every message and counts
// them, so that the node under load really sends its emails somewhere.
type mailSink struct {
	addr     string
	received atomic.Int64
	srv      *smtp.Server
}

func startMailSink() (*mailSink, error) {
	s := &mailSink{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s}, nil }))
	s.srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *mailSink) close() { _ = s.srv.Close() }

type sinkSession struct{ sink *mailSink }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	ss.sink.received.Add(1)
	return err
}
func (sinkSession) Reset()        {}
func (sinkSession) Logout() error { return nil }
