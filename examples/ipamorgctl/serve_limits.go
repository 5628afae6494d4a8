package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/pflag"
)

// serveLimits keep one client from holding the server: every connection
// is bounded in time (reading a request, writing its answer, idling between
// requests) and the number of open connections is capped, so that no
// client exhausts the process's file descriptors.
// defaultMaxConns is --max-conns's default. One server stands for every
// AWS endpoint, so a client's pools for each service all land on it: the
// fleet verification at its largest concurrency (ipamorg's
// MaxVerifyConcurrency, 256) keeps about 256 connections to STS and 256 to
// IAM, plus the listing's to Organizations and Monitoring's to EC2. With a
// cap of 512, the pools of one such run filled it and the rest of its
// connections waited unaccepted, held up for as long as 25 s, until idle
// ones closed. 2,048 leaves room for two such clients, and stays far
// below the file descriptors a process gets on Linux (Go raises the soft
// limit to the hard one).
const defaultMaxConns = 2048

type serveLimits struct {
	readTimeout, writeTimeout, idleTimeout time.Duration
	maxConns                               int
}

func (l *serveLimits) flags(f *pflag.FlagSet) {
	f.DurationVar(&l.readTimeout, "read-timeout", time.Minute, "longest time to read one request, body included "+durationRange())
	f.DurationVar(&l.writeTimeout, "write-timeout", 5*time.Minute, "longest time to answer one request once read (injected latency included) "+durationRange())
	f.DurationVar(&l.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open "+durationRange())
	f.IntVar(&l.maxConns, "max-conns", defaultMaxConns, "most connections open at once; more wait to be accepted "+countRange(1, maxMaxConns))
}

func (l *serveLimits) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(l.readTimeout, 30*time.Second),
		ReadTimeout:       l.readTimeout,
		WriteTimeout:      l.writeTimeout,
		IdleTimeout:       l.idleTimeout,
		// Dropped-connection faults would fill stderr otherwise.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// listener caps inner at maxConns open connections: Accept waits for one
// to close (new clients queue in the kernel's backlog meanwhile).
func (l *serveLimits) listener(inner net.Listener) net.Listener {
	return &limitListener{Listener: inner, sem: make(chan struct{}, l.maxConns), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, when closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
