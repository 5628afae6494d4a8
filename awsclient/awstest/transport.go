package awstest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// inMemoryEndpoint is the endpoint of configs from Emulator.Config; no
// request to it ever leaves the process.
const inMemoryEndpoint = "http://awstest.invalid"

// HTTPClient returns a client whose transport hands each request straight
// to the emulator, with no socket, so that real SDK clients work inside
// testing/synctest bubbles. The request's host is ignored. A
// dropped-connection fault fails the round trip with a connection error;
// a canceled context fails it with the context's error.
func (e *Emulator) HTTPClient() *http.Client {
	return &http.Client{Transport: roundTripper{e}}
}

type roundTripper struct{ e *Emulator }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sreq := req.Clone(ctx)
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:1"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	var resp response
	if strings.HasPrefix(sreq.URL.Path, controlPrefix) {
		w := httptest.NewRecorder()
		rt.e.serveControl(w, sreq)
		resp = response{status: w.Code, header: map[string]string{"Content-Type": w.Header().Get("Content-Type")}, body: w.Body.Bytes()}
	} else {
		resp = rt.e.handle(sreq)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if resp.drop {
		return nil, errDropped
	}
	header := make(http.Header, len(resp.header)+1)
	for k, v := range resp.header {
		header.Set(k, v)
	}
	header.Set("Content-Length", strconv.Itoa(len(resp.body)))
	return &http.Response{
		Status:        strconv.Itoa(resp.status) + " " + http.StatusText(resp.status),
		StatusCode:    resp.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(resp.body)),
		ContentLength: int64(len(resp.body)),
		Request:       req,
	}, nil
}

// Config returns an aws.Config that reaches the emulator in memory through
// HTTPClient, acting as accountID: region us-east-1, static credentials
// whose access key id is accountID, BaseEndpoint for every service, the
// SDK's default retryer. Nothing is read from the environment or shared
// config files. ctx is unused; it mirrors config.LoadDefaultConfig.
func (e *Emulator) Config(ctx context.Context, accountID string) aws.Config {
	cfg := newConfig(inMemoryEndpoint, accountID)
	cfg.HTTPClient = e.HTTPClient()
	return cfg
}

func newConfig(endpoint, accountID string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(accountID, "awstest-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// errDropped is what the in-memory transport returns for a dropped
// connection. Like a reset TCP connection, the SDK retries it.
var errDropped = &droppedError{}

type droppedError struct{}

func (*droppedError) Error() string         { return "awstest: connection reset by peer (injected fault)" }
func (*droppedError) ConnectionError() bool { return true }
func (*droppedError) Temporary() bool       { return true }
func (*droppedError) Unwrap() error         { return io.ErrUnexpectedEOF }
