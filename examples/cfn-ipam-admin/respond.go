package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/cenkalti/backoff/v4"
)

// maxResponse is the largest response body CloudFormation accepts.
const maxResponse = 4096

// truncated ends a Reason cut to fit maxResponse.
const truncated = " ... (truncated; the whole message is in the function's log)"

// respond sends resp to CloudFormation's pre-signed url: a PUT with no
// Content-Type (the URL's signature has none), retried on connection
// errors and 5xx while ctx allows.
func (h *Handler) respond(ctx context.Context, url string, resp *cfn.Response) error {
	body, err := responseBody(resp)
	if err != nil {
		return err
	}
	hc := h.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	send := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
		if err != nil {
			return backoff.Permanent(err)
		}
		res, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		switch {
		case res.StatusCode/100 == 2:
			return nil
		case res.StatusCode >= 500:
			return fmt.Errorf("response URL answered %s: %s", res.Status, msg)
		}
		return backoff.Permanent(fmt.Errorf("response URL answered %s: %s", res.Status, msg))
	}
	b := backoff.NewExponentialBackOff(backoff.WithInitialInterval(200*time.Millisecond), backoff.WithMaxElapsedTime(0))
	return backoff.Retry(send, backoff.WithContext(backoff.WithMaxRetries(b, 4), ctx))
}

// responseBody is resp's JSON, its Reason cut to fit maxResponse.
func responseBody(resp *cfn.Response) ([]byte, error) {
	r := *resp
	orig := r.Reason
	for keep := len(orig); ; {
		body, err := json.Marshal(&r)
		if err != nil || len(body) <= maxResponse || keep == 0 {
			return body, err
		}
		keep = max(0, keep-(len(body)-maxResponse)-len(truncated))
		for keep > 0 && !utf8.RuneStart(orig[keep]) {
			keep--
		}
		r.Reason = orig[:keep] + truncated
	}
}
