package awstest_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// TestReplayTerraformAWSProvider sends the requests that Terraform's own AWS
// provider made in examples/terraform-aws-provider/run.sh (apply, a clean
// plan, a change of the excluded OUs, a clean plan, destroy; recorded with
// serve --record) to a new emulator of the same organization, in the same
// order, and checks that each answer has what the provider accepted: the
// same status, the same error code, and every element or key path of the
// recorded answer (its shape, values aside). The run itself needs the provider
// built from the module proxy, too slow for CI; this keeps the emulator
// true to it.
func TestReplayTerraformAWSProvider(t *testing.T) {
	const recording = "testdata/terraform-aws-provider-6.47.1.jsonl"
	exchanges := readExchanges(t, recording)
	scenario, err := awstest.LoadScenario("../../examples/terraform-aws-provider/organization.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := awstest.NewServer(awstest.WithScenario(*scenario))
	defer srv.Close()

	seen := map[string]bool{}
	for i, want := range exchanges {
		name := fmt.Sprintf("%s:%d %s", recording, i+1, operationOf(want))
		seen[operationOf(want)] = true
		got := replay(t, srv.URL, want)
		if got.Status != want.Status {
			t.Fatalf("%s: status %d, the provider was answered %d\nanswer: %s", name, got.Status, want.Status, got.Answer)
		}
		if g, w := errorCode(got), errorCode(want); g != w {
			t.Fatalf("%s: error code %q, the provider was answered %q", name, g, w)
		}
		gs, err := shapeOf(got)
		if err != nil {
			t.Fatalf("%s: the answer: %v\n%s", name, err, got.Answer)
		}
		ws, err := shapeOf(want)
		if err != nil {
			t.Fatalf("%s: the recorded answer: %v", name, err)
		}
		// What the provider read must be there; more (a field the
		// emulator learned since) cannot break it.
		if missing := difference(ws, gs); len(missing) > 0 {
			t.Errorf("%s: the answer lacks what the provider was answered: %q", name, missing)
		}
		if extra := difference(gs, ws); len(extra) > 0 {
			t.Logf("%s: the answer has more than the provider was answered: %q", name, extra)
		}
	}
	// The recording is of the whole workflow: a truncated file fails here.
	for _, op := range []string{
		"EnableIpamOrganizationAdminAccount", "ListDelegatedAdministrators", "DisableIpamOrganizationAdminAccount",
		"CreateIpam", "DescribeIpams", "DeleteIpam",
		"CreateIpamResourceDiscovery", "ModifyIpamResourceDiscovery", "DeleteIpamResourceDiscovery",
		"AssociateIpamResourceDiscovery", "DisassociateIpamResourceDiscovery",
		"DescribeOrganization", "ListOrganizationalUnitsForParent",
	} {
		if !seen[op] {
			t.Errorf("the recording has no %s", op)
		}
	}
}

func readExchanges(t *testing.T, path string) []awstest.Exchange {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []awstest.Exchange
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8<<20)
	for n := 1; sc.Scan(); n++ {
		var x awstest.Exchange
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		if x.Account == "" {
			t.Fatalf("%s:%d: signed with temporary credentials, which a replay cannot sign again: record with the accounts' own keys", path, n)
		}
		out = append(out, x)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no exchanges", path)
	}
	return out
}

// replay sends x's request to the emulator at url, signed (in form only:
// the emulator does not check signatures) as x's account.
func replay(t *testing.T, url string, x awstest.Exchange) awstest.Exchange {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/", strings.NewReader(x.Request))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", x.ContentType)
	if x.Target != "" {
		req.Header.Set("X-Amz-Target", x.Target)
	}
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=%s/20260101/%s/%s/aws4_request, SignedHeaders=host, Signature=0", x.Account, x.Region, x.Service))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := x
	got.Status, got.Answer = resp.StatusCode, string(body)
	return got
}

// operationOf is the operation x calls.
func operationOf(x awstest.Exchange) string {
	if x.Target != "" {
		_, op, _ := strings.Cut(x.Target, ".")
		return op
	}
	for kv := range strings.SplitSeq(x.Request, "&") {
		if op, ok := strings.CutPrefix(kv, "Action="); ok {
			return op
		}
	}
	return ""
}

// errorCode is the code of an error answer: JSON's __type (without its
// namespace), the query protocols' <Code>; "" for success.
func errorCode(x awstest.Exchange) string {
	if x.Status < 300 {
		return ""
	}
	if x.Target != "" {
		var e struct {
			Type string `json:"__type"`
		}
		json.Unmarshal([]byte(x.Answer), &e)
		_, code, found := strings.Cut(e.Type, "#")
		if !found {
			code = e.Type
		}
		return code
	}
	_, rest, _ := strings.Cut(x.Answer, "<Code>")
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

// shapeOf is the set of paths in an answer: element paths of XML
// ("DescribeIpamsResponse/ipamSet/item/ipamId"), key paths of JSON with []
// for an array's elements ("Roots/[]/Id").
func shapeOf(x awstest.Exchange) ([]string, error) {
	set := map[string]bool{}
	if x.Target != "" {
		var v any
		if err := json.Unmarshal([]byte(x.Answer), &v); err != nil {
			return nil, err
		}
		jsonPaths(v, "", set)
	} else {
		dec := xml.NewDecoder(strings.NewReader(x.Answer))
		var stack []string
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				stack = append(stack, tok.Name.Local)
				set[strings.Join(stack, "/")] = true
			case xml.EndElement:
				stack = stack[:len(stack)-1]
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

func jsonPaths(v any, prefix string, set map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := k
			if prefix != "" {
				p = prefix + "/" + k
			}
			set[p] = true
			jsonPaths(e, p, set)
		}
	case []any:
		for _, e := range v {
			jsonPaths(e, prefix+"/[]", set)
		}
	}
}

// difference is what a has and b has not; both sorted.
func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
