package awstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// rawRequest is one hand-made HTTP request to a server.
type rawRequest struct {
	method, path, host string // host "" is the server's own
	header             map[string]string
	body               string
}

func (rr rawRequest) do(t *testing.T, srv *awstest.Server) rawResponse {
	t.Helper()
	method := rr.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+rr.path, strings.NewReader(rr.body))
	if err != nil {
		t.Fatal(err)
	}
	if rr.host != "" {
		req.Host = rr.host
	}
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, string(b)}
}

// with returns rr with header k set to v.
func (rr rawRequest) with(k, v string) rawRequest {
	h := map[string]string{k: v}
	for hk, hv := range rr.header {
		if hk != k {
			h[hk] = hv
		}
	}
	rr.header = h
	return rr
}

func port(t *testing.T, srv *awstest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// Each refusal is shown on a request that succeeds without the one thing
// that is refused, and leaves the state as it was.
func TestRefusedAWSRequests(t *testing.T) {
	srv := awstest.NewServer()
	defer srv.Close()
	enable := rawRequest{header: map[string]string{"Authorization": auth("ec2"), "Content-Type": "application/x-www-form-urlencoded"},
		body: "Action=EnableIpamOrganizationAdminAccount&Version=2016-11-15&DelegatedAdminAccountId=" + member1}
	describe := rawRequest{header: map[string]string{"Authorization": auth("organizations"), "Content-Type": "application/x-amz-json-1.1",
		"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization"}, body: "{}"}
	identity := rawRequest{header: map[string]string{"Authorization": auth("sts"), "Content-Type": "application/x-www-form-urlencoded"},
		body: "Action=GetCallerIdentity&Version=2011-06-15"}
	// The same as a presigned URL: credentials in the query string, none
	// in the headers (the emulator read them before).
	presigned := rawRequest{path: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url.QueryEscape(mgmt+"/20260101/us-east-1/sts/aws4_request") +
		"&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: identity.body}
	foreign := "rebinding.example:" + port(t, srv)

	for _, tc := range []struct {
		name     string
		req      rawRequest
		status   int
		code     string
		errShape func(*testing.T, rawResponse) string
	}{
		{"ec2 Host of another name", rawRequest{host: foreign, header: enable.header, body: enable.body}, 403, "UnauthorizedOperation", ec2Error},
		{"ec2 Origin", enable.with("Origin", "https://attacker.example"), 403, "UnauthorizedOperation", ec2Error},
		{"ec2 Origin null", enable.with("Origin", "null"), 403, "UnauthorizedOperation", ec2Error},
		{"ec2 Sec-Fetch-Site", enable.with("Sec-Fetch-Site", "cross-site"), 403, "UnauthorizedOperation", ec2Error},
		{"organizations Host of another name", rawRequest{host: foreign, header: describe.header, body: describe.body}, 400, "AccessDeniedException", jsonError},
		{"organizations Origin", describe.with("Origin", "http://localhost:3000"), 400, "AccessDeniedException", jsonError},
		{"sts Sec-Fetch-Site", identity.with("Sec-Fetch-Site", "same-site"), 403, "AccessDenied", queryError},
		{"sts presigned", presigned, 403, "AccessDenied", queryError},
		{"sts presigned with a signature too", presigned.with("Authorization", auth("sts")), 403, "AccessDenied", queryError},
		{"sts GET", rawRequest{method: http.MethodGet, path: "/?" + identity.body, header: identity.header}, 405, "MethodNotAllowed", queryError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req.do(t, srv)
			if code := tc.errShape(t, r); code != tc.code || r.status != tc.status {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, code, tc.status, tc.code, r.body)
			}
			if tc.status != 405 && !strings.Contains(r.body, "the emulator refuses") {
				t.Errorf("the message does not say why: %s", r.body)
			}
		})
	}
	if st := srv.Snapshot(); len(st.DelegatedAdmins) != 0 {
		t.Fatalf("a refused write changed the state: %+v", st.DelegatedAdmins)
	}
	reqs := srv.Requests()
	if len(reqs) != 10 || reqs[0].Operation != "EnableIpamOrganizationAdminAccount" || reqs[0].Code != "UnauthorizedOperation" || reqs[0].Account != "" {
		t.Fatalf("audit: %+v", reqs)
	}

	// Without what was refused, each succeeds.
	for name, rr := range map[string]rawRequest{"describe": describe, "identity": identity, "enable": enable} {
		if r := rr.do(t, srv); r.status != 200 {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
	}
	if st := srv.Snapshot(); st.DelegatedAdmins[ipam][0] != member1 {
		t.Fatalf("enable: %+v", st.DelegatedAdmins)
	}
}

func TestRefusedControlPlaneRequests(t *testing.T) {
	srv := awstest.NewServer()
	defer srv.Close()
	inject := rawRequest{path: "/_awstest/faults", header: map[string]string{"Content-Type": "application/json"},
		body: `{"operation":"GetRole","code":"awstest:Throttle"}`}
	for _, tc := range []struct {
		name   string
		req    rawRequest
		status int
	}{
		{"text/plain, as a form posts it", inject.with("Content-Type", "text/plain"), 415},
		{"a form's encoding", inject.with("Content-Type", "application/x-www-form-urlencoded"), 415},
		{"no Content-Type", rawRequest{path: inject.path, body: inject.body}, 415},
		{"a malformed Content-Type", inject.with("Content-Type", "application/json; ="), 415},
		{"Origin", inject.with("Origin", "https://attacker.example"), 403},
		{"Sec-Fetch-Site", inject.with("Sec-Fetch-Site", "cross-site"), 403},
		{"Host of another name", rawRequest{path: inject.path, host: "rebinding.example:" + port(t, srv), header: inject.header, body: inject.body}, 403},
		{"reset from a form", rawRequest{path: "/_awstest/reset", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"reset from a page", rawRequest{path: "/_awstest/reset", header: map[string]string{"Origin": "https://attacker.example"}}, 403},
		{"DELETE with text", rawRequest{method: http.MethodDelete, path: "/_awstest/faults", header: map[string]string{"Content-Type": "text/plain"}, body: "x"}, 415},
		{"state read through DNS rebinding", rawRequest{method: http.MethodGet, path: "/_awstest/state", host: "rebinding.example:" + port(t, srv)}, 403},
		{"audit read by a page", rawRequest{method: http.MethodGet, path: "/_awstest/audit", header: map[string]string{"Sec-Fetch-Site": "same-origin"}}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req.do(t, srv)
			var e map[string]string
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || r.status != tc.status || e["error"] == "" {
				t.Fatalf("got %d %s, want %d and a JSON error", r.status, r.body, tc.status)
			}
		})
	}
	var list []any
	if control(t, srv, "GET", "/_awstest/faults", "", &list); len(list) != 0 {
		t.Fatalf("a refused request injected %v", list)
	}
	// With application/json (a charset is fine), or with nothing to read.
	if r := inject.with("Content-Type", "application/json; charset=utf-8").do(t, srv); r.status != 200 {
		t.Fatalf("inject: %d %s", r.status, r.body)
	}
	if control(t, srv, "GET", "/_awstest/faults", "", &list); len(list) != 1 {
		t.Fatalf("faults %v", list)
	}
	if r := (rawRequest{path: "/_awstest/reset"}).do(t, srv); r.status != 200 {
		t.Fatalf("reset with no body: %d %s", r.status, r.body)
	}
	if r := (rawRequest{method: http.MethodDelete, path: "/_awstest/audit"}).do(t, srv); r.status != 200 {
		t.Fatalf("DELETE with no body: %d %s", r.status, r.body)
	}
}

// The Host must name where the request arrived: that address, a loopback
// name with its port, or a name the options allow.
func TestHostsServed(t *testing.T) {
	srv := awstest.NewServer(awstest.WithAllowedHosts("emulator", "Proxy.Example:8443", "[fd00::1]"))
	defer srv.Close()
	p := port(t, srv)
	health := func(host string) int {
		return rawRequest{method: http.MethodGet, path: "/_awstest/health", host: host}.do(t, srv).status
	}
	for _, host := range []string{"127.0.0.1:" + p, "localhost:" + p, "LOCALHOST:" + p, "[::1]:" + p, "127.0.0.2:" + p,
		"emulator", "emulator:1", "EMULATOR:" + p, "proxy.example:8443", "[fd00::1]:9", "fd00::1"} {
		if got := health(host); got != 200 {
			t.Errorf("Host %q: %d, want 200", host, got)
		}
	}
	for _, host := range []string{"localhost:1", "127.0.0.1:1", "localhost", "127.0.0.1", "rebinding.example:" + p,
		"proxy.example:443", "proxy.example", "emulator.example:" + p, "localhost.:" + p, "[::2]:" + p, "0.0.0.0:" + p} {
		if got := health(host); got != 403 {
			t.Errorf("Host %q: %d, want 403", host, got)
		}
	}

	// The SDK at http://localhost:PORT, as AWS_ENDPOINT_URL would set it.
	cfg := srv.Config(t.Context(), mgmt)
	cfg.BaseEndpoint = aws.String("http://localhost:" + p)
	if out, err := callerIdentity(t, newClients(noRetry(cfg))); err != nil || out.account != mgmt {
		t.Fatalf("localhost: %+v, %v", out, err)
	}
}

func TestAllowBrowserOrigin(t *testing.T) {
	srv := awstest.NewServer(awstest.WithBrowserOrigin())
	defer srv.Close()
	r := rawRequest{path: "/_awstest/reset", header: map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}}.do(t, srv)
	if r.status != 200 {
		t.Fatalf("allowed browser: %d %s", r.status, r.body)
	}
	// The Host is judged still.
	r = rawRequest{method: http.MethodGet, path: "/_awstest/state", host: "rebinding.example:" + port(t, srv)}.do(t, srv)
	if r.status != 403 {
		t.Fatalf("foreign Host with browsers allowed: %d %s", r.status, r.body)
	}
}

// In-process requests reached no listener: their Host is not judged, the
// rest is.
func TestInProcessRequests(t *testing.T) {
	emu := awstest.New()
	if r := post(t, emu, map[string]string{"Authorization": auth("sts")}, "Action=GetCallerIdentity"); r.status != 200 {
		t.Fatalf("httptest request (Host example.com): %d %s", r.status, r.body)
	}
	if r := post(t, emu, map[string]string{"Authorization": auth("sts"), "Origin": "https://attacker.example"}, "Action=GetCallerIdentity"); queryError(t, r) != "AccessDenied" {
		t.Fatalf("Origin in process: %d %s", r.status, r.body)
	}
	resp, err := emu.HTTPClient().Post("http://awstest.invalid/_awstest/reset", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain through HTTPClient: %d", resp.StatusCode)
	}
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://anything.example/_awstest/health", nil))
	if w.Code != 200 {
		t.Fatalf("control plane in process: %d %s", w.Code, w.Body)
	}
}

func TestAllowedHostsChecked(t *testing.T) {
	for _, bad := range []string{"http://emulator:4566", "emulator:0", "emulator:http", "", "user@emulator", "em ulator", "emulator/x", "[::1", "emulator:4566:1"} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(v.(string), "allowed host") {
					t.Errorf("AllowedHosts %q: panic %v", bad, v)
				}
			}()
			awstest.New(awstest.WithAllowedHosts(bad))
		}()
	}
}

// What the guard refuses, no AWS SDK or CLI sends for these operations:
// the service models every SDK and CLI is generated from (botocore's for
// the AWS CLI v1 and v2 and boto3, the same Smithy models for the Go SDK)
// give every operation of the four services as a POST to "/" on the
// service's own host (no host prefix). Credentials in the query string
// are only ever made by presigning, which no client uses to call.
func TestModelsPostOnly(t *testing.T) {
	t.Parallel() // see helpers_test.go
	dir := botocoreData(t)
	versions := map[string]string{"organizations": "2016-11-28", "ec2": "2016-11-15", "sts": "2011-06-15", "iam": "2010-05-08"}
	for svc, ops := range awstest.Operations() {
		model := readModel(t, filepath.Join(dir, svc, versions[svc], "service-2.json"))
		for _, name := range ops {
			op, ok := model.Operations[name]
			if !ok || op.HTTP.Method != http.MethodPost || op.HTTP.RequestURI != "/" || op.Endpoint != nil {
				t.Errorf("%s %s: the model says %+v", svc, name, op)
			}
		}
	}
}
