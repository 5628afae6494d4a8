package awstest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Server is an Emulator listening on a loopback port, in the manner of
// net/http/httptest.Server. The embedded Emulator's methods (faults, audit,
// lag, Snapshot, mutators) apply to it.
type Server struct {
	*Emulator
	// URL is the base URL, "http://127.0.0.1:PORT", with no trailing slash.
	URL string
	// Listener is the server's listener.
	Listener net.Listener

	srv       *http.Server
	closeOnce sync.Once
}

// NewServer starts an emulator configured by optFns on 127.0.0.1 at a free
// port. It panics if it cannot listen, or on invalid options (see New). The
// caller should Close it.
func NewServer(optFns ...func(*ServerOptions)) *Server {
	e := New(optFns...)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("awstest: failed to listen on a port: %v", err))
		}
	}
	s := &Server{
		Emulator: e,
		URL:      "http://" + l.Addr().String(),
		Listener: l,
		srv: &http.Server{
			Handler:           e,
			ReadHeaderTimeout: 30 * time.Second,
			// Dropped-connection faults must not spam the test output.
			ErrorLog: log.New(io.Discard, "", 0),
		},
	}
	go s.srv.Serve(l)
	return s
}

// Close shuts the server down, closing the listener and every connection,
// including requests held by injected latency. It is safe to call more
// than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { s.srv.Close() })
}

// Config returns an aws.Config that reaches the server over HTTP, acting
// as accountID: region us-east-1, BaseEndpoint URL for all four services,
// static credentials whose access key id is accountID, and the SDK's
// default HTTP client and retryer. Nothing is read from the environment or
// shared config files. ctx is unused; it mirrors config.LoadDefaultConfig.
func (s *Server) Config(ctx context.Context, accountID string) aws.Config {
	return newConfig(s.URL, accountID)
}
