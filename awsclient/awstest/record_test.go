package awstest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// TestRecordWritesExchangesWithoutCredentials drives a recording emulator
// with the SDK: each AWS request is one line that replays (account,
// service, Region, body), the control plane is not recorded, and neither
// the Authorization header nor the credentials AssumeRole answers reach
// the file.
func TestRecordWritesExchangesWithoutCredentials(t *testing.T) {
	emu := awstest.New()
	var file bytes.Buffer
	ts := httptest.NewServer(awstest.Record(emu, &file, nil))
	defer ts.Close()
	ctx := t.Context()
	cfg := configFor(ts.URL)

	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ts.URL + "/_awstest/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	assumed := cfg.Copy()
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN(member1, awstest.OrganizationAccessRoleName)))
	if _, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	ts.Close() // every handler has returned: every line is written
	var got []awstest.Exchange
	for line := range strings.Lines(file.String()) {
		var x awstest.Exchange
		if err := json.Unmarshal([]byte(line), &x); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		got = append(got, x)
	}
	if len(got) != 3 {
		t.Fatalf("%d exchanges recorded, want 3 (GetCallerIdentity, AssumeRole, GetCallerIdentity):\n%s", len(got), file.String())
	}
	first := got[0]
	if first.Service != "sts" || first.Region != "us-east-1" || first.Account != mgmt || first.Status != 200 ||
		!strings.Contains(first.Request, "Action=GetCallerIdentity") || !strings.Contains(first.Answer, "<Account>"+mgmt+"</Account>") {
		t.Errorf("first exchange %+v", first)
	}
	if a := got[1]; !strings.Contains(a.Request, "Action=AssumeRole") ||
		!strings.Contains(a.Answer, "<SecretAccessKey>REDACTED</SecretAccessKey>") || !strings.Contains(a.Answer, "<SessionToken>REDACTED</SessionToken>") {
		t.Errorf("AssumeRole's answer is not redacted: %s", a.Answer)
	}
	if got[2].Account != "" {
		t.Errorf("a temporary access key id was recorded as account %q", got[2].Account)
	}
	for _, secret := range []string{"Signature=", "awstest2.", "ASIA"} {
		if strings.Contains(file.String(), secret) {
			t.Errorf("the recording holds %q", secret)
		}
	}
}

// TestRecordKeepsDroppedConnections: a dropped-connection fault still drops
// the connection through the recorder, and is recorded with status 0.
func TestRecordKeepsDroppedConnections(t *testing.T) {
	emu := awstest.New()
	emu.InjectFault("GetCallerIdentity", awstest.Fault{Drop: true, Count: 1})
	lines := make(chan []byte, 1)
	ts := httptest.NewServer(awstest.Record(emu, lineWriter(lines), nil))
	defer ts.Close()
	if _, err := sts.NewFromConfig(configFor(ts.URL)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("a dropped connection answered")
	}
	// The server forgets a hijacked connection, so Close would not wait for
	// its handler: wait for the line itself.
	var x awstest.Exchange
	if line := <-lines; json.Unmarshal(line, &x) != nil {
		t.Fatalf("not an exchange: %q", line)
	}
	if x.Status != 0 || x.Answer != "" || x.Account != mgmt {
		t.Errorf("dropped exchange recorded as %+v", x)
	}
}

// lineWriter sends each write, a line of Record's, on a channel.
type lineWriter chan<- []byte

func (w lineWriter) Write(p []byte) (int, error) {
	w <- bytes.Clone(p)
	return len(p), nil
}

// configFor reaches the emulator at url as the management account, once
// per call.
func configFor(url string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(mgmt, "x", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

// TestRecordOnlySignedRequests: what no AWS client sends, an unsigned
// request (a web page's, say), is served, and refused, but never written;
// a write error stops the recording once, reported, and serving goes on.
func TestRecordOnlySignedRequests(t *testing.T) {
	var reported []error
	w := &failingWriter{}
	ts := httptest.NewServer(awstest.Record(awstest.New(), w, func(err error) { reported = append(reported, err) }))
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/", "text/plain", strings.NewReader(strings.Repeat("x", 1<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ts.Config.SetKeepAlivesEnabled(false)
	if w.writes != 0 {
		t.Fatalf("an unsigned request was recorded (%d writes)", w.writes)
	}
	client := sts.NewFromConfig(configFor(ts.URL))
	for range 2 {
		if _, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("serving stopped with the recording: %v", err)
		}
	}
	ts.Close() // every handler has returned
	if w.writes != 1 || len(reported) != 1 || !errors.Is(reported[0], errDiskFull) {
		t.Errorf("%d writes, reported %v: want one failed write, reported once", w.writes, reported)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter fails every write, counting them.
type failingWriter struct{ writes int }

func (w *failingWriter) Write([]byte) (int, error) {
	w.writes++
	return 0, errDiskFull
}

// TestRecordRedactsPresignedFields: a form's X-Amz-* fields (a presigned
// request's credential and signature) are recorded as REDACTED, the rest
// of the form as sent.
func TestRecordRedactsPresignedFields(t *testing.T) {
	var file bytes.Buffer
	ts := httptest.NewServer(awstest.Record(awstest.New(), &file, nil))
	defer ts.Close()
	form := "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=111111111111%2F20261207%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Signature=5ec7e75ec7e7"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+mgmt+"/20261207/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ts.Close()
	var x awstest.Exchange
	if err := json.Unmarshal(file.Bytes(), &x); err != nil {
		t.Fatalf("%v: %q", err, file.String())
	}
	for _, secret := range []string{"5ec7e75ec7e7", "aws4_request"} {
		if strings.Contains(x.Request, secret) {
			t.Errorf("the recorded request holds %q: %s", secret, x.Request)
		}
	}
	if !strings.Contains(x.Request, "Action=GetCallerIdentity") || !strings.Contains(x.Request, "X-Amz-Signature=REDACTED") {
		t.Errorf("recorded request %q", x.Request)
	}
}
