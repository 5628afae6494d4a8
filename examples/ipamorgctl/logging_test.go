package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// Without --debug nothing of the AWS SDK's reaches the terminal. With no
// credentials the credential chain asks EC2 instance metadata, falls back
// to IMDSv1 and warns so, through the SDK's default logger, which writes
// to the process's stderr itself: that line would break --output json's
// JSON-lines stderr. With --debug the warning is one of ipamorgctl's log
// records. Not parallel: it sets the process's environment and os.Stderr.
func TestSDKSilentWithoutDebug(t *testing.T) {
	imds := httptest.NewServer(http.NotFoundHandler()) // no IMDSv2 token: the SDK falls back to IMDSv1
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)

	run := func(args ...string) (result, string) {
		t.Helper()
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stderr
		os.Stderr = wr
		r := runCtl(t, nil, args...) // the environment as set above
		os.Stderr = saved
		wr.Close()
		leaked, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		return r, string(leaked)
	}

	r, leaked := run("-o", "json", "status")
	wantCode(t, r, exitError)
	if leaked != "" {
		t.Errorf("the SDK wrote to the process's stderr without --debug: %q", leaked)
	}
	if lines := jsonLines(t, r.stderr); len(lines) != 1 || !strings.Contains(r.stderr, "no AWS credentials found") {
		t.Errorf("stderr is not the one JSON error:\n%v", r)
	}

	r, leaked = run("--debug", "-o", "json", "status")
	wantCode(t, r, exitError)
	if leaked != "" {
		t.Errorf("the SDK wrote to the process's stderr with --debug: %q", leaked)
	}
	jsonLines(t, r.stderr)
	if !strings.Contains(r.stderr, "falling back to IMDSv1") {
		t.Errorf("--debug lacks the SDK's warning as a record:\n%v", r)
	}
}
