package awstest_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// fuzzProtocols are the protocols FuzzProtocols speaks, by its proto input
// (modulo their number), each with the service its requests are signed for.
var fuzzProtocols = []struct{ name, service string }{
	{"awsJson1_1", "organizations"},
	{"ec2Query", "ec2"},
	{"awsQuery", "iam"},
	{"awsQuery", "sts"},
}

// FuzzProtocols sends arbitrary requests, for every operation the seeds
// name (the tree, IPAM and discovery ones included), in each of the
// emulator's three protocols (awsJson1_1 for Organizations, ec2Query for EC2, awsQuery for
// IAM and STS): an operation name, a body, a query string, GET or POST, and
// an access key. It checks that the emulator never panics or hangs, never
// fails with a server error (a recovered handler panic answers 500), and
// answers every request in the protocol it was sent in: a success in the
// protocol's result shape, anything else in the protocol's error shape,
// each with a request id. FuzzServeHTTP (protocol_test.go) fuzzes routing
// across protocols; this target fuzzes each protocol's decoding and
// checks the shape of the answer. Seeds are in testdata/fuzz/FuzzProtocols.
func FuzzProtocols(f *testing.F) {
	f.Add(uint8(0), "DescribeOrganization", []byte("{}"), "", false, mgmt)
	f.Fuzz(func(t *testing.T, proto uint8, op string, body []byte, query string, get bool, account string) {
		p := fuzzProtocols[int(proto)%len(fuzzProtocols)]
		// The access key may be anything but must not break the SigV4
		// credential scope apart, or the request would not be signed for
		// p.service and its answer's protocol would be another's.
		account = strings.Map(func(r rune) rune {
			if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return r
			}
			return -1
		}, account)
		if account == "" {
			account = "x"
		}

		method := http.MethodPost
		if get {
			method = http.MethodGet
		}
		if p.service != "organizations" && op != "" {
			body = append([]byte("Action="+op+"&"), body...)
		}
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/20260101/us-east-1/"+p.service+"/aws4_request, SignedHeaders=host, Signature=00")
		if p.service == "organizations" {
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}

		// A fresh emulator per input: equal inputs, equal answers.
		emu := awstest.New()
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			emu.ServeHTTP(w, req)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s: no answer after 10s", p.service, op)
		}

		status, out := w.Code, w.Body.Bytes()
		if status >= 500 || status < 200 || len(out) == 0 {
			t.Fatalf("%s %q: status %d, body %q", p.service, op, status, out)
		}
		if w.Header().Get("X-Amzn-Requestid") == "" {
			t.Fatalf("%s %q: no request id header", p.service, op)
		}
		switch p.name {
		case "awsJson1_1":
			checkJSONAnswer(t, status, out)
		case "ec2Query":
			checkEC2Answer(t, status, out)
		default:
			checkQueryAnswer(t, status, out)
		}
	})
}

// checkJSONAnswer: a JSON object; an error has __type and Message.
func checkJSONAnswer(t *testing.T, status int, body []byte) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("awsJson answer %d is not a JSON object: %q", status, body)
	}
	if status == http.StatusOK {
		return
	}
	typ, _ := v["__type"].(string)
	msg, _ := v["Message"].(string)
	if typ == "" || msg == "" {
		t.Fatalf("awsJson error %d without __type or Message: %q", status, body)
	}
}

// xmlRoot returns the root element's name and the document decoded into
// v, failing on malformed XML.
func xmlRoot(t *testing.T, body []byte, v any) string {
	t.Helper()
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(body, &root); err != nil {
		t.Fatalf("answer is not XML (%v): %q", err, body)
	}
	if err := xml.Unmarshal(body, v); err != nil {
		t.Fatalf("answer does not decode (%v): %q", err, body)
	}
	return root.XMLName.Local
}

// checkEC2Answer: a success is <OpResponse> with a requestId; an error is
// <Response><Errors><Error><Code> with a RequestID (capital D).
func checkEC2Answer(t *testing.T, status int, body []byte) {
	t.Helper()
	var v struct {
		RequestIDLower string `xml:"requestId"`
		Code           string `xml:"Errors>Error>Code"`
		Message        string `xml:"Errors>Error>Message"`
		RequestID      string `xml:"RequestID"`
	}
	root := xmlRoot(t, body, &v)
	if status == http.StatusOK {
		if !strings.HasSuffix(root, "Response") || root == "Response" || v.RequestIDLower == "" {
			t.Fatalf("ec2 success without <OpResponse><requestId>: %q", body)
		}
		return
	}
	if root != "Response" || v.Code == "" || v.Message == "" || v.RequestID == "" {
		t.Fatalf("ec2 error %d not in <Response><Errors> form: %q", status, body)
	}
}

// checkQueryAnswer: a success is <OpResponse><OpResult> with
// ResponseMetadata; an error is <ErrorResponse><Error> with Type, Code and
// Message, and a RequestId.
func checkQueryAnswer(t *testing.T, status int, body []byte) {
	t.Helper()
	var v struct {
		Inner     []byte `xml:",innerxml"`
		Type      string `xml:"Error>Type"`
		Code      string `xml:"Error>Code"`
		Message   string `xml:"Error>Message"`
		RequestID string `xml:"RequestId"`
		MetaID    string `xml:"ResponseMetadata>RequestId"`
	}
	root := xmlRoot(t, body, &v)
	if status == http.StatusOK {
		op, ok := strings.CutSuffix(root, "Response")
		if !ok || op == "" || !bytes.Contains(v.Inner, []byte("<"+op+"Result")) || v.MetaID == "" {
			t.Fatalf("awsQuery success without <OpResponse><OpResult> and metadata: %q", body)
		}
		return
	}
	if root != "ErrorResponse" || (v.Type != "Sender" && v.Type != "Receiver") || v.Code == "" || v.Message == "" || v.RequestID == "" {
		t.Fatalf("awsQuery error %d not in <ErrorResponse> form: %q", status, body)
	}
}
