package awstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Exchange is one AWS API request to the emulator and its answer, as
// Record writes it: enough to send the request again (replay_test.go does)
// and to compare the answers' shapes. It holds no credentials: the account
// is the access key id only when that is an account id (the emulator's
// long-term keys), and credentials in answers are replaced with
// "REDACTED".
type Exchange struct {
	// Service and Region are the request's SigV4 credential scope.
	Service string `json:"service"`
	Region  string `json:"region"`
	// Account is the signing account; "" for temporary credentials.
	Account string `json:"account"`
	// Target is the X-Amz-Target header of a JSON-protocol request.
	Target      string `json:"target,omitempty"`
	ContentType string `json:"contentType"`
	Request     string `json:"request"`
	// Status is the HTTP status answered; 0 for a dropped connection.
	Status int    `json:"status"`
	Answer string `json:"answer"`
	// Truncated says that Request or Answer is cut short at maxRecorded
	// bytes (4 MiB).
	Truncated bool `json:"truncated,omitempty"`
}

// maxRecorded bounds what Record keeps of one body.
const maxRecorded = 4 << 20

var (
	// secretAnswer matches the parts of credentials in an answer:
	// STS's query-protocol XML.
	secretAnswer = regexp.MustCompile(`<(AccessKeyId|SecretAccessKey|SessionToken)>[^<]*</`)
)

// Record returns a handler that serves with next and writes each signed
// AWS API request it serves, with its answer, to w as one JSON line (an
// Exchange). Control-plane requests (/_awstest/) and requests without a
// SigV4 Authorization header (nothing an AWS client sends) are served but
// not written; a signed request next refuses (a foreign Host, a body past
// its limit) is written with its refusal. Lines are written whole, one at a time, so w needs no locking
// of its own. The first write error stops the recording, never the
// serving, and is passed to onError (which may be nil). The Authorization
// header is never written, nor the values of a form's X-Amz-* fields
// (presigning's credential and signature).
func Record(next http.Handler, w io.Writer, onError func(error)) http.Handler {
	r := &recorder{next: next, enc: json.NewEncoder(w), onError: onError}
	r.enc.SetEscapeHTML(false)
	return r
}

type recorder struct {
	next    http.Handler
	onError func(error)
	mu      sync.Mutex
	enc     *json.Encoder
	failed  bool
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sc, signed := credentialScope(r)
	if !signed || strings.HasPrefix(r.URL.Path, controlPrefix) {
		rc.next.ServeHTTP(w, r)
		return
	}
	// What was read is handed on before the rest, so that the emulator
	// reads the body whole, or meets the same read error itself.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRecorded+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	tee := &teeWriter{ResponseWriter: w, status: http.StatusOK}
	answered := false
	// Deferred, so that an answer abandoned with a panic (a dropped
	// connection the writer cannot hijack) is recorded too, as status 0.
	defer func() {
		if !answered {
			tee.status = 0
		}
		rc.write(sc, r, body, tee)
	}()
	rc.next.ServeHTTP(tee, r)
	answered = true
}

// write records one exchange.
func (rc *recorder) write(sc scope, r *http.Request, body []byte, tee *teeWriter) {
	answer := tee.body.Bytes()
	x := Exchange{
		Service:     sc.service,
		Region:      sc.region,
		Target:      r.Header.Get("X-Amz-Target"),
		ContentType: r.Header.Get("Content-Type"),
		Request:     withoutPresigning(body[:min(len(body), maxRecorded)]),
		Status:      tee.status,
		Answer:      secretAnswer.ReplaceAllString(string(answer[:min(len(answer), maxRecorded)]), "<${1}>REDACTED</"),
		Truncated:   len(body) > maxRecorded || len(answer) > maxRecorded,
	}
	if isAccountID(sc.accessKey) {
		x.Account = sc.accessKey
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failed {
		return
	}
	if err := rc.enc.Encode(x); err != nil {
		rc.failed = true
		if rc.onError != nil {
			rc.onError(err)
		}
	}
}

// withoutPresigning returns a request body with the values of its form's
// X-Amz-* fields (X-Amz-Credential, X-Amz-Signature, ...) replaced by
// REDACTED, and any other body as it is.
func withoutPresigning(body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return string(body)
	}
	redacted := false
	for k := range form {
		if strings.HasPrefix(k, "X-Amz-") {
			form[k] = []string{"REDACTED"}
			redacted = true
		}
	}
	if !redacted {
		return string(body)
	}
	return form.Encode()
}

// teeWriter passes an answer on and keeps a copy of it, up to a byte past
// maxRecorded (so that a cut shows).
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(status int) {
	t.status = status
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	if room := maxRecorded + 1 - t.body.Len(); room > 0 {
		t.body.Write(p[:min(len(p), room)])
	}
	return t.ResponseWriter.Write(p)
}

// Hijack passes a dropped-connection fault through: the exchange is
// recorded with status 0 and no answer, as the audit log records it.
func (t *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := t.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	t.status = 0
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushes) through the recorder.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
