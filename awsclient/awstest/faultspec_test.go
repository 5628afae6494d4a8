package awstest_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		op   string
		f    awstest.Fault
	}{
		{"GetRole=awstest:Throttle", "GetRole", awstest.Fault{Code: awstest.CodeThrottle}},
		{"GetRole=awstest:Throttle:2", "GetRole", awstest.Fault{Code: awstest.CodeThrottle, Count: 2}},
		{"*=ThrottlingException:3", "*", awstest.Fault{Code: "ThrottlingException", Count: 3}},
		{"CreateIpam=InternalError", "CreateIpam", awstest.Fault{Code: "InternalError"}},
		{"DescribeIpams=InvalidIpamId.NotFound:1", "DescribeIpams", awstest.Fault{Code: "InvalidIpamId.NotFound", Count: 1}},
		{`{"operation":"DescribeIpams","latency":"250ms","count":1,"applied":true}`, "DescribeIpams",
			awstest.Fault{Latency: 250 * time.Millisecond, Count: 1, Applied: true}},
		{` {"operation":"*","drop":true}`, "*", awstest.Fault{Drop: true}},
	} {
		op, f, err := awstest.ParseFault(tc.spec)
		if err != nil || op != tc.op || f != tc.f {
			t.Errorf("ParseFault(%q) = %q, %+v, %v; want %q, %+v", tc.spec, op, f, err, tc.op, tc.f)
		}
	}
}

func TestParseFaultErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"", "want OP=CODE[:COUNT]"},
		{"GetRole", "want OP=CODE[:COUNT]"},
		{"=Throttling", "want OP=CODE[:COUNT]"},
		{"GetRole=", "want OP=CODE[:COUNT]"},
		{"GetRole=:2", "CODE is empty"},
		{"Frobnicate=Throttling", `unknown operation "Frobnicate"; the operations are `},
		{"GetRole=Throttling:0", `COUNT must be a positive integer, not "0"`},
		{"GetRole=Throttling:two", `COUNT must be a positive integer, not "two"`},
		{"GetRole=Throttling:99999999999999999999", "must be a positive integer"},
		{"GetRole=awstest:Nope", `unknown code "awstest:Nope"`},
		{"GetRole=awstest:Throttle:x", `unknown code "awstest:Throttle:x"`},
		{"GetRole=Bad Code", "is not an error code"},
		{"GetRole=Bad\nCode", "is not an error code"},
		{"GetRole=" + strings.Repeat("X", 129), "is not an error code"},
		{`{"operation":"GetRole","latency":"soon"}`, "latency"},
		{`{"operation":"GetRole","code":"X"} {}`, "data after the JSON object"},
		{`{"operation":"GetRole"`, "fault: "},
	} {
		op, f, err := awstest.ParseFault(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "fault: ") {
			t.Errorf("ParseFault(%q) = %q, %+v, %v; want an error with %q", tc.spec, op, f, err, tc.want)
		}
	}
}

func TestDecodeFault(t *testing.T) {
	op, f, err := awstest.DecodeFault([]byte(`{"operation":"*","code":"ServiceUnavailable","status":503,"message":"m","latency":"2s","drop":false,"count":3,"probability":0.5,"applied":true}`))
	if err != nil || op != "*" || f != (awstest.Fault{Code: "ServiceUnavailable", Status: 503, Message: "m", Latency: 2 * time.Second, Count: 3, Probability: 0.5, Applied: true}) {
		t.Fatalf("%q %+v %v", op, f, err)
	}
}

// FuzzDecodeFault checks that the control plane's fault decoder never
// panics and that whatever it accepts, InjectFault takes.
func FuzzDecodeFault(f *testing.F) {
	f.Add([]byte(`{"operation":"*","code":"awstest:Throttle","count":1}`))
	f.Add([]byte(`{"operation":"CreateIpam","latency":"1ms","drop":true,"probability":0.5,"applied":true}`))
	f.Add([]byte(`{"operation":"GetRole","code":"LimitExceeded","status":409,"message":"m"}`))
	emu := awstest.New()
	f.Fuzz(func(t *testing.T, data []byte) {
		op, fault, err := awstest.DecodeFault(data)
		if err != nil {
			return
		}
		if op == "" || fault.Count < 0 || fault.Probability < 0 || fault.Probability > 1 || fault.Latency < 0 {
			t.Fatalf("accepted %q: %q %+v", data, op, fault)
		}
		emu.InjectFault(op, fault)
		emu.ClearFaults()
	})
}

// FuzzParseFault checks that ParseFault never panics, that the compact
// form gives only a code and a count, and that whatever it accepts comes
// back unchanged through the control plane: injected, listed by GET
// /_awstest/faults, and decoded again.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		"GetRole=awstest:Throttle:2",
		"*=ThrottlingException",
		"CreateIpam=InvalidIpamId.NotFound:1",
		"GetRole=Throttling:0",
		"=:",
		`{"operation":"CreateIpam","latency":"1ms","drop":true,"probability":0.5,"applied":true}`,
		`{"operation":"GetRole","code":"LimitExceeded","status":409,"message":"m","count":2}`,
	} {
		f.Add(s)
	}
	emu := awstest.New()
	client := emu.HTTPClient()
	f.Fuzz(func(t *testing.T, spec string) {
		op, fault, err := awstest.ParseFault(spec)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fault: ") {
				t.Fatalf("ParseFault(%q): error %q lacks the prefix", spec, err)
			}
			return
		}
		if !strings.HasPrefix(strings.TrimSpace(spec), "{") &&
			(fault.Code == "" || fault != (awstest.Fault{Code: fault.Code, Count: fault.Count})) {
			t.Fatalf("ParseFault(%q) = %+v: more than a code and a count", spec, fault)
		}
		emu.ClearFaults()
		emu.InjectFault(op, fault)
		resp, err := client.Get("http://awstest.invalid/_awstest/faults")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var listed []json.RawMessage
		if err := json.Unmarshal(body, &listed); err != nil || len(listed) != 1 {
			t.Fatalf("GET /_awstest/faults: %s (%v)", body, err)
		}
		op2, fault2, err := awstest.DecodeFault(listed[0])
		if err != nil || op2 != op || fault2 != fault {
			t.Fatalf("ParseFault(%q) = %q %+v; listed as %s, decoded as %q %+v (%v)", spec, op, fault, listed[0], op2, fault2, err)
		}
	})
}
