package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// withConfigFile writes an AWS shared config file and returns baseEnv with it
// in place of the empty one.
func withConfigFile(t *testing.T, env []string, content string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_CONFIG_FILE=") {
			out = append(out, kv)
		}
	}
	return append(out, "AWS_CONFIG_FILE="+path)
}

// TestTargetNamesTheEndpointUsed: the first line names the endpoint every
// request really went to, whatever configured it; a dead endpoint for a
// service proves which one was used.
// The environment it sets is the process's, in-process: not parallel.
func TestTargetNamesTheEndpointUsed(t *testing.T) {
	srv := startServer(t)
	other := startServer(t)
	const dead = "http://127.0.0.1:1"
	mgmtEnv := func(extra ...string) []string { return append(asAccount(t, mgmt), extra...) }
	for _, tc := range []struct {
		name  string
		env   []string
		args  []string
		first string
	}{
		{name: "flag", env: mgmtEnv(), args: []string{"--endpoint-url", srv.URL},
			first: "target: " + srv.URL + " (--endpoint-url), account " + mgmt},
		{name: "AWS_ENDPOINT_URL", env: mgmtEnv("AWS_ENDPOINT_URL=" + srv.URL),
			first: "target: " + srv.URL + " (AWS_ENDPOINT_URL), account " + mgmt},
		{name: "service-specific", env: mgmtEnv("AWS_ENDPOINT_URL="+srv.URL, "AWS_ENDPOINT_URL_EC2="+other.URL),
			first: "target: ec2 at " + other.URL + " (AWS_ENDPOINT_URL_EC2); iam, organizations, sts at " + srv.URL + " (AWS_ENDPOINT_URL), account " + mgmt},
		{name: "the flag wins", env: mgmtEnv("AWS_ENDPOINT_URL="+dead, "AWS_ENDPOINT_URL_ORGANIZATIONS="+dead, "AWS_ENDPOINT_URL_STS="+dead),
			args:  []string{"--endpoint-url", srv.URL},
			first: "target: " + srv.URL + " (--endpoint-url), account " + mgmt},
		{name: "profile endpoint_url", env: withConfigFile(t, mgmtEnv("AWS_PROFILE=emu"), "[profile emu]\nendpoint_url = "+srv.URL+"\n"),
			first: "target: " + srv.URL + " (endpoint_url of profile emu), account " + mgmt},
		{name: "profile services section",
			env:   withConfigFile(t, mgmtEnv(), "[profile emu]\naws_access_key_id = "+mgmt+"\naws_secret_access_key = x\nendpoint_url = "+srv.URL+"\nservices = emu-ec2\n\n[services emu-ec2]\nec2 =\n  endpoint_url = "+other.URL+"\n"),
			args:  []string{"--profile", "emu"},
			first: "target: ec2 at " + other.URL + " (services section of profile emu); iam, organizations, sts at " + srv.URL + " (endpoint_url of profile emu), account " + mgmt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCtl(t, tc.env, append(tc.args, "status")...)
			wantCode(t, r, exitOK)
			if got := firstLine(r.stdout); got != tc.first {
				t.Errorf("first line\n got %q\nwant %q", got, tc.first)
			}
		})
	}
	if len(other.Requests()) != 0 {
		t.Errorf("status sent EC2 requests: %v", other.Requests())
	}

	// The endpoint named for EC2 is the one its writes go to.
	r := runCtl(t, mgmtEnv("AWS_ENDPOINT_URL="+srv.URL, "AWS_ENDPOINT_URL_EC2="+other.URL), "plan", "--delegate", member1, "--check-permissions")
	wantCode(t, r, exitOK)
	if n := len(other.Requests()); n != 1 {
		t.Errorf("%d requests to the EC2 endpoint named, want the one dry run:\n%v", n, r)
	}
	if n := len(srv.Requests()); n == 0 {
		t.Error("no request to the endpoint named for the other services")
	}
}
