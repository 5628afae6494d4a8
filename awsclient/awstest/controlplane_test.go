package awstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// control sends a control-plane request to srv and decodes the JSON answer
// into out (when not nil).
func control(t *testing.T, srv *awstest.Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q: %s", method, path, ct, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func TestControlPlane(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	var health map[string]string
	if code := control(t, srv, "GET", "/_awstest/health", "", &health); code != 200 || health["status"] != "ok" {
		t.Fatalf("health: %d %v", code, health)
	}

	// Faults: inject, list, strike, clear.
	var f map[string]any
	code := control(t, srv, "POST", "/_awstest/faults", `{"operation":"DescribeOrganization","code":"awstest:Throttle","count":2,"latency":"1ms"}`, &f)
	if code != 200 || f["operation"] != "DescribeOrganization" || f["latency"] != "1ms" {
		t.Fatalf("inject: %d %v", code, f)
	}
	var list []map[string]any
	if control(t, srv, "GET", "/_awstest/faults", "", &list); len(list) != 1 || list[0]["remaining"] != 2.0 {
		t.Fatalf("faults = %v", list)
	}
	_, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "TooManyRequestsException")
	if control(t, srv, "GET", "/_awstest/faults", "", &list); list[0]["remaining"] != 1.0 {
		t.Fatalf("faults = %v", list)
	}
	if code := control(t, srv, "DELETE", "/_awstest/faults", "", nil); code != 200 {
		t.Fatalf("clear: %d", code)
	}
	must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))

	for _, bad := range []string{
		`{"code":"Throttling"}`,
		`{"operation":"Nope","code":"Throttling"}`,
		`{"operation":"*","code":"awstest:Nope"}`,
		`{"operation":"*","code":"X","latency":"soon"}`,
		`{"operation":"*","code":"X","probability":2}`,
		`{"operation":"*","code":"X","colour":"red"}`,
		`{"operation":"*"}`,
		`not json`,
	} {
		var e map[string]string
		if code := control(t, srv, "POST", "/_awstest/faults", bad, &e); code != 400 || e["error"] == "" {
			t.Errorf("%s: %d %v", bad, code, e)
		}
	}

	// The audit log, in the documented shape.
	var audit []map[string]any
	control(t, srv, "GET", "/_awstest/audit", "", &audit)
	if len(audit) != 2 {
		t.Fatalf("audit = %v", audit)
	}
	for _, k := range []string{"time", "account", "service", "operation", "action", "write", "code", "status"} {
		if _, ok := audit[0][k]; !ok {
			t.Fatalf("audit record lacks %q: %v", k, audit[0])
		}
	}
	if audit[0]["code"] != "TooManyRequestsException" || audit[0]["status"] != 400.0 || audit[0]["fault"] != true ||
		audit[1]["account"] != mgmt || audit[1]["action"] != "organizations:DescribeOrganization" || audit[1]["write"] != false {
		t.Fatalf("audit = %v", audit)
	}
	if _, err := time.Parse(time.RFC3339Nano, audit[0]["time"].(string)); err != nil {
		t.Fatal(err)
	}

	// State, then reset back to the start.
	must[any](t)(enableIPAM(ctx, c, member1))
	var st awstest.State
	control(t, srv, "GET", "/_awstest/state", "", &st)
	if st.DelegatedAdmins[ipam][0] != member1 || !st.HasRole(member2, awstest.IPAMRoleName) || st.RootID == "" {
		t.Fatalf("state = %+v", st)
	}
	srv.SetLag(time.Hour)
	srv.InjectFault("*", awstest.Fault{Code: "X"})
	if code := control(t, srv, "POST", "/_awstest/reset", "", nil); code != 200 {
		t.Fatalf("reset: %d", code)
	}
	st = awstest.State{}
	control(t, srv, "GET", "/_awstest/state", "", &st)
	if len(st.DelegatedAdmins) != 0 || st.HasRole(member2, awstest.IPAMRoleName) || len(srv.Requests()) != 0 {
		t.Fatalf("after reset: %+v, %d requests", st, len(srv.Requests()))
	}
	// Faults and lag are gone with it.
	must[any](t)(enableIPAM(ctx, c, member1))
	if got := listAdmins(t, c, ipam); len(got) != 1 {
		t.Fatalf("admins after reset = %v (lag still in force?)", got)
	}

	// Errors: unknown endpoint, wrong method; never an AWS answer.
	var e map[string]string
	if code := control(t, srv, "GET", "/_awstest/nope", "", &e); code != 404 || !strings.Contains(e["error"], "/_awstest/health") {
		t.Fatalf("unknown: %d %v", code, e)
	}
	if code := control(t, srv, "GET", "/_awstest/reset", "", &e); code != 405 {
		t.Fatalf("GET reset: %d %v", code, e)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Operation, "awstest") {
			t.Fatalf("control-plane request audited: %+v", r)
		}
	}
}

// The in-memory transport reaches the control plane too.
func TestControlPlaneInMemory(t *testing.T) {
	emu := awstest.New()
	resp, err := emu.HTTPClient().Get("http://awstest.invalid/_awstest/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"ok"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestControlPlaneLag(t *testing.T) {
	srv, _ := startServer(t, awstest.WithDiscoveryLag(time.Hour))
	var lags map[string]string
	if control(t, srv, "GET", "/_awstest/lag", "", &lags); lags["discoveryLag"] != "1h0m0s" || lags["lag"] != "0s" {
		t.Fatalf("lags = %v", lags)
	}
	if code := control(t, srv, "POST", "/_awstest/lag", `{"discoveryLag":"0s","lag":"2s"}`, &lags); code != 200 || lags["discoveryLag"] != "0s" || lags["lag"] != "2s" {
		t.Fatalf("set: %d %v", code, lags)
	}
	for _, bad := range []string{`{"lag":"soon"}`, `{"colour":"1s"}`, `{"lag":"-1s"}`, `[]`} {
		if code := control(t, srv, "POST", "/_awstest/lag", bad, nil); code != 400 {
			t.Errorf("%s: %d", bad, code)
		}
	}
	srv.Reset()
	if control(t, srv, "GET", "/_awstest/lag", "", &lags); lags["discoveryLag"] != "1h0m0s" || lags["lag"] != "0s" {
		t.Fatalf("after reset: %v", lags)
	}
}
