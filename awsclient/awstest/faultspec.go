package awstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A fault spec is a Fault and the operation it strikes, written down: the
// control plane's JSON object (DecodeFault) or, on a command line, the
// compact OP=CODE[:COUNT] (ParseFault takes both). This file is the one
// place that reads and checks them.

// faultJSON is a fault on the control plane and in serve --fault: the
// operation and Fault's fields in lower camel case, latency as a Go
// duration ("250ms").
type faultJSON struct {
	Operation   string  `json:"operation"`
	Code        string  `json:"code,omitempty"`
	Status      int     `json:"status,omitempty"`
	Message     string  `json:"message,omitempty"`
	Latency     string  `json:"latency,omitempty"`
	Drop        bool    `json:"drop,omitempty"`
	Count       int     `json:"count,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	Applied     bool    `json:"applied,omitempty"`
	// Remaining is how many more requests a counted fault strikes (GET
	// /_awstest/faults only).
	Remaining int `json:"remaining,omitempty"`
}

// ParseFault parses a fault spec as a command line gives it: either the
// compact form OP=CODE[:COUNT], which answers the next COUNT requests (all
// of them without COUNT) for operation OP ("*" for every operation) with
// the error CODE,
//
//	EnableIpamOrganizationAdminAccount=ThrottlingException:2
//	GetIpamDiscoveredAccounts=awstest:Throttle
//
// or, when it starts with "{", the control plane's JSON object, for
// latency, drops, probabilities and the other fields (see DecodeFault):
//
//	{"operation":"CreateIpam","latency":"2s","count":1}
//
// In the compact form CODE may itself hold colons (the symbolic codes such
// as CodeThrottle do): COUNT is what follows the last colon when it is a
// number. The fault is checked as DecodeFault checks it; errors start with
// "fault: " and say what is wrong.
func ParseFault(spec string) (op string, f Fault, err error) {
	if strings.HasPrefix(strings.TrimSpace(spec), "{") {
		return DecodeFault([]byte(spec))
	}
	op, rest, ok := strings.Cut(spec, "=")
	if !ok || op == "" || rest == "" {
		return "", Fault{}, errors.New("fault: want OP=CODE[:COUNT] or a JSON object")
	}
	code, count := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && isDigits(rest[i+1:]) {
		code, count = rest[:i], rest[i+1:]
	} else if i >= 0 && !strings.HasPrefix(rest, symbolicPrefix) {
		return "", Fault{}, fmt.Errorf("fault: COUNT must be a positive integer, not %q", rest[i+1:])
	}
	if code == "" {
		return "", Fault{}, errors.New("fault: CODE is empty; want OP=CODE[:COUNT]")
	}
	f = Fault{Code: code}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return "", Fault{}, fmt.Errorf("fault: COUNT must be a positive integer, not %q", count)
		}
		f.Count = n
	}
	if err := checkFault(op, f); err != nil {
		return "", Fault{}, err
	}
	return op, f, nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// DecodeFault decodes a fault in the control plane's JSON form, one flat
// object with "operation" (a name Operations lists, or "*") and the fields
// of Fault in lower camel case, latency as a Go duration string:
//
//	{"operation": "GetIpamDiscoveredAccounts", "code": "awstest:Throttle", "count": 2}
//
// Unknown fields, an unknown operation or code prefix, and values out of
// range are errors.
func DecodeFault(data []byte) (op string, f Fault, err error) {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return "", Fault{}, fmt.Errorf("fault: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return "", Fault{}, errors.New("fault: data after the JSON object")
	}
	f = Fault{Code: j.Code, Status: j.Status, Message: j.Message, Drop: j.Drop, Count: j.Count, Probability: j.Probability, Applied: j.Applied}
	if j.Latency != "" {
		if f.Latency, err = time.ParseDuration(j.Latency); err != nil || f.Latency < 0 {
			return "", Fault{}, fmt.Errorf("fault: latency %q is not a non-negative Go duration such as \"250ms\"", j.Latency)
		}
	}
	if err := checkFault(j.Operation, f); err != nil {
		return "", Fault{}, err
	}
	return j.Operation, f, nil
}

// maxFaultCodeLen bounds a fault's code; AWS's longest are about 60
// characters.
const maxFaultCodeLen = 128

// checkFault validates a fault for op.
func checkFault(op string, f Fault) error {
	known := op == "*"
	for _, ops := range operations {
		known = known || ops[op] != nil
	}
	switch {
	case op == "":
		return errors.New("fault: operation is required (an operation name, or \"*\" for all)")
	case !known:
		return fmt.Errorf("fault: unknown operation %q; the operations are %s", op, strings.Join(operationNames(), ", "))
	case strings.HasPrefix(f.Code, symbolicPrefix) && !slices.Contains(symbolicCodes, f.Code):
		return fmt.Errorf("fault: unknown code %q; the symbolic codes are %s", f.Code, strings.Join(symbolicCodes, ", "))
	case len(f.Code) > maxFaultCodeLen || strings.Trim(f.Code, codeChars) != "":
		// The code goes into answers, headers and logs as it is.
		return fmt.Errorf("fault: code %q is not an error code (at most %d letters, digits and . _ : -)", f.Code, maxFaultCodeLen)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("fault: status %d is not an HTTP status", f.Status)
	case f.Count < 0:
		return fmt.Errorf("fault: count %d is negative", f.Count)
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("fault: probability %v is not between 0 and 1", f.Probability)
	case f.Code == "" && !f.Drop && f.Latency == 0:
		return errors.New("fault: give at least one of code, drop and latency")
	}
	return nil
}

// codeChars are the characters of an error code: AWS's (letters, digits,
// "." as in InvalidIpamId.NotFound) and the symbolic codes' ":".
const codeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

// operationNames is every operation's name, sorted.
func operationNames() []string {
	var names []string
	for _, ops := range operations {
		for name := range ops {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func toFaultJSON(op string, f Fault, left int) faultJSON {
	j := faultJSON{Operation: op, Code: f.Code, Status: f.Status, Message: f.Message, Drop: f.Drop,
		Count: f.Count, Probability: f.Probability, Applied: f.Applied}
	if f.Latency > 0 {
		j.Latency = f.Latency.String()
	}
	if f.Count > 0 {
		j.Remaining = left
	}
	return j
}
