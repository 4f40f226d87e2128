package main

// The production image has no /etc/ssl: these CA roots are used for outgoing
// TLS (the mail server, a database with sslmode=verify-full) when the
// machine offers none of its own. On a machine that has roots, those win.
import _ "golang.org/x/crypto/x509roots/fallback"
