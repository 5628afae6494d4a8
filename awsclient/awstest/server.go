package awstest

import (
	"context"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Server is an Emulator listening on a loopback port, built on
// net/http/httptest.Server. The embedded Emulator's methods (faults, audit,
// lag, Snapshot, mutators) apply to it.
type Server struct {
	*Emulator
	// URL is the base URL, "http://127.0.0.1:PORT", with no trailing slash.
	URL string
	// Listener is the server's listener.
	Listener net.Listener

	ts        *httptest.Server
	closeOnce sync.Once
}

// NewServer starts an emulator configured by optFns on 127.0.0.1 at a free
// port. It panics if it cannot listen, or on invalid options (see New). The
// caller should Close it.
func NewServer(optFns ...func(*ServerOptions)) *Server {
	e := New(optFns...)
	ts := httptest.NewUnstartedServer(e)
	ts.Config.ReadHeaderTimeout = 30 * time.Second
	// Dropped-connection faults must not spam the test output.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.Start()
	return &Server{Emulator: e, URL: ts.URL, Listener: ts.Listener, ts: ts}
}

// Close shuts the server down: it closes the listener and every connection,
// which ends requests held by injected latency, and returns once every
// handler has returned, so that nothing of the server outlives it. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Config returns an aws.Config that reaches the server over HTTP, acting
// as accountID: region us-east-1, BaseEndpoint URL for all four services,
// static credentials whose access key id is accountID, and the SDK's
// default HTTP client and retryer. Nothing is read from the environment or
// shared config files. ctx is unused; it mirrors config.LoadDefaultConfig.
func (s *Server) Config(ctx context.Context, accountID string) aws.Config {
	return newConfig(s.URL, accountID)
}
