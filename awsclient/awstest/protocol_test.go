package awstest_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func auth(service string) string {
	return "AWS4-HMAC-SHA256 Credential=" + mgmt + "/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00"
}

type rawResponse struct {
	status int
	body   string
}

func post(t *testing.T, h http.Handler, header map[string]string, body string) rawResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return rawResponse{w.Code, w.Body.String()}
}

func jsonError(t *testing.T, r rawResponse) string {
	t.Helper()
	var v struct {
		Type    string `json:"__type"`
		Message string
	}
	if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.Message == "" {
		t.Fatalf("not a JSON error: %q", r.body)
	}
	return v.Type
}

func queryError(t *testing.T, r rawResponse) string {
	t.Helper()
	var v struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Type    string   `xml:"Error>Type"`
		Code    string   `xml:"Error>Code"`
		ID      string   `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(r.body), &v); err != nil || v.Type != "Sender" || v.ID == "" {
		t.Fatalf("not an awsQuery error: %q", r.body)
	}
	return v.Code
}

func ec2Error(t *testing.T, r rawResponse) string {
	t.Helper()
	var v struct {
		XMLName xml.Name `xml:"Response"`
		Code    string   `xml:"Errors>Error>Code"`
		ID      string   `xml:"RequestID"`
	}
	if err := xml.Unmarshal([]byte(r.body), &v); err != nil || v.ID == "" {
		t.Fatalf("not an EC2 error: %q", r.body)
	}
	return v.Code
}

func TestJSONProtocolErrors(t *testing.T) {
	emu := awstest.New()
	hdr := func(target string) map[string]string {
		return map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, "Authorization": auth("organizations")}
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
		code   string
		status int
	}{
		{"unknown operation", hdr("AWSOrganizationsV20161128.CreateAccount"), "{}", "UnknownOperationException", 400},
		{"wrong service prefix", hdr("DynamoDB_20120810.ListTables"), "{}", "UnknownOperationException", 400},
		{"no operation", hdr("AWSOrganizationsV20161128"), "{}", "UnknownOperationException", 400},
		{"malformed JSON", hdr("AWSOrganizationsV20161128.DescribeAccount"), `{"AccountId":`, "SerializationException", 400},
		{"not an object", hdr("AWSOrganizationsV20161128.DescribeAccount"), `[1]`, "SerializationException", 400},
		{"wrong type", hdr("AWSOrganizationsV20161128.DescribeAccount"), `{"AccountId":5}`, "SerializationException", 400},
		{"missing input", hdr("AWSOrganizationsV20161128.DescribeAccount"), `{}`, "InvalidInputException", 400},
		{"no signature", map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization"}, "{}", "MissingAuthenticationTokenException", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, emu, tc.header, tc.body)
			if code := jsonError(t, r); code != tc.code || r.status != tc.status {
				t.Fatalf("got %d %s, want %d %s", r.status, code, tc.status, tc.code)
			}
		})
	}
	// An empty body is an empty input.
	if r := post(t, emu, hdr("AWSOrganizationsV20161128.DescribeOrganization"), ""); r.status != 200 {
		t.Fatalf("empty body: %d %s", r.status, r.body)
	}
}

func TestQueryProtocolErrors(t *testing.T) {
	emu := awstest.New()
	form := func(service string) map[string]string {
		return map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth(service)}
	}
	for _, tc := range []struct {
		name, service, body, code string
		status                    int
		ec2                       bool
	}{
		{"iam unknown action", "iam", "Action=CreateUser&Version=2010-05-08", "InvalidAction", 400, false},
		{"sts unknown action", "sts", "Action=GetRole&Version=2011-06-15", "InvalidAction", 400, false},
		{"ec2 unknown action", "ec2", "Action=DescribeInstances&Version=2016-11-15", "InvalidAction", 400, true},
		{"missing action", "iam", "Version=2010-05-08", "MissingAction", 400, false},
		{"malformed form", "iam", "Action=GetRole&RoleName=%zz", "MalformedQueryString", 400, false},
		{"ec2 malformed form", "ec2", "%zz", "MalformedQueryString", 400, true},
		{"iam missing parameter", "iam", "Action=GetRole&Version=2010-05-08", "ValidationError", 400, false},
		{"ec2 missing parameter", "ec2", "Action=EnableIpamOrganizationAdminAccount&Version=2016-11-15", "MissingParameter", 400, true},
		{"ec2 bad DryRun", "ec2", "Action=EnableIpamOrganizationAdminAccount&DryRun=maybe&DelegatedAdminAccountId=222222222222", "InvalidParameterValue", 400, true},
		{"unknown scope and action", "s3", "Action=ListBuckets", "InvalidAction", 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, emu, form(tc.service), tc.body)
			code := ""
			if tc.ec2 {
				code = ec2Error(t, r)
			} else {
				code = queryError(t, r)
			}
			if code != tc.code || r.status != tc.status {
				t.Fatalf("got %d %s, want %d %s", r.status, code, tc.status, tc.code)
			}
		})
	}

	// Unsigned requests are routed by Action and refused in the right shape.
	if r := post(t, emu, nil, "Action=GetCallerIdentity"); queryError(t, r) != "MissingAuthenticationToken" || r.status != 403 {
		t.Fatalf("unsigned sts: %d %s", r.status, r.body)
	}
	if r := post(t, emu, nil, "Action=EnableIpamOrganizationAdminAccount"); ec2Error(t, r) != "AuthFailure" || r.status != 401 {
		t.Fatalf("unsigned ec2: %d %s", r.status, r.body)
	}
	// An action signed for another service is refused as a credential
	// scoped to the wrong service, in the protocol of the action's service.
	if r := post(t, emu, form("s3"), "Action=GetCallerIdentity"); queryError(t, r) != "SignatureDoesNotMatch" || r.status != 403 {
		t.Fatalf("wrong scope: %d %s", r.status, r.body)
	}

	// Only POST: no AWS SDK or CLI sends these operations as a GET, which
	// any web page can make (docs/emulator.md#refused).
	req := httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	req.Header.Set("Authorization", auth("sts"))
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if r := (rawResponse{w.Code, w.Body.String()}); queryError(t, r) != "MethodNotAllowed" || r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d %s", w.Code, w.Body.String())
	}
	if r := post(t, emu, form("sts"), "Action=GetCallerIdentity&Version=2011-06-15"); r.status != 200 || !strings.Contains(r.body, "<Account>"+mgmt+"</Account>") {
		t.Fatalf("the same as a POST: %d %s", r.status, r.body)
	}
}

func TestBodyLimit(t *testing.T) {
	emu := awstest.New(func(o *awstest.ServerOptions) { o.MaxBodyBytes = 1024 })
	big := strings.Repeat("x", 2048)
	r := post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization", "Authorization": auth("organizations")}, `{"a":"`+big+`"}`)
	if jsonError(t, r) != "RequestEntityTooLarge" || r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("json: %d %s", r.status, r.body)
	}
	r = post(t, emu, map[string]string{"Authorization": auth("iam")}, "Action=GetRole&RoleName="+big)
	if queryError(t, r) != "RequestEntityTooLarge" || r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("query: %d %s", r.status, r.body)
	}
}

func TestCLIShapes(t *testing.T) {
	// What the AWS CLI insists on beyond the SDK: EC2's lower-case member
	// names, awsQuery's ResponseMetadata, epoch-second JSON timestamps.
	emu := awstest.New()
	r := post(t, emu, map[string]string{"Authorization": auth("ec2")}, "Action=EnableIpamOrganizationAdminAccount&Version=2016-11-15&DelegatedAdminAccountId="+member1)
	if r.status != 200 || !strings.Contains(r.body, `<EnableIpamOrganizationAdminAccountResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`) ||
		!strings.Contains(r.body, "<success>true</success>") {
		t.Fatalf("ec2: %s", r.body)
	}
	r = post(t, emu, map[string]string{"Authorization": auth("iam")}, "Action=GetRole&RoleName=AWSServiceRoleForIPAM")
	if !strings.Contains(r.body, "<GetRoleResult><Role><Path>/aws-service-role/ipam.amazonaws.com/</Path>") ||
		!strings.Contains(r.body, "<ResponseMetadata><RequestId>") {
		t.Fatalf("iam: %s", r.body)
	}
	r = post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.ListAWSServiceAccessForOrganization", "Authorization": auth("organizations")}, "{}")
	var v struct {
		EnabledServicePrincipals []struct {
			ServicePrincipal string
			DateEnabled      json.Number
		}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(r.body)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || len(v.EnabledServicePrincipals) != 1 || v.EnabledServicePrincipals[0].DateEnabled == "" {
		t.Fatalf("organizations: %s (%v)", r.body, err)
	}
}

func TestOverHTTPRaw(t *testing.T) {
	srv := awstest.NewServer()
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.Nope")
	req.Header.Set("Authorization", auth("organizations"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "UnknownOperationException") || resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// FuzzServeHTTP checks that no request makes the emulator panic or hang.
func FuzzServeHTTP(f *testing.F) {
	f.Add("AWSOrganizationsV20161128.DescribeAccount", "organizations", `{"AccountId":"222222222222"}`)
	f.Add("AWSOrganizationsV20161128.ListAccounts", "organizations", `{"MaxResults":0,"NextToken":"x"}`)
	f.Add("", "ec2", "Action=EnableIpamOrganizationAdminAccount&DelegatedAdminAccountId=222222222222&DryRun=true")
	f.Add("", "iam", "Action=DeleteServiceLinkedRole&RoleName=AWSServiceRoleForIPAM")
	f.Add("", "sts", "Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:role/&RoleSessionName=x")
	f.Add("", "iam", "Action=GetServiceLinkedRoleDeletionStatus&DeletionTaskId=task/")
	f.Add("x.y", "", "\x00\xff")
	f.Add("AWSOrganizationsV20161128.ListAccountsForParent", "organizations", `{"ParentId":"r-d3fc","MaxResults":1}`)
	f.Add("AWSOrganizationsV20161128.ListParents", "organizations", `{"ChildId":"ou-d3fc-12345678"}`)
	f.Add("", "ec2", "Action=CreateIpam&OperatingRegion.1.RegionName=us-east-1&TagSpecification.1.ResourceType=ipam")
	f.Add("", "ec2", "Action=GetIpamDiscoveredAccounts&IpamResourceDiscoveryId=x&DiscoveryRegion=us-east-1&MaxResults=5")
	f.Add("", "ec2", "Action=DescribeRegions&AllRegions=true&Filter.1.Name=region-name&Filter.1.Value.1=eu-west-1")
	f.Add("", "sts", "Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:role/OrganizationAccountAccessRole&RoleSessionName=ss&Policy=x")
	emu := awstest.New()
	f.Fuzz(func(t *testing.T, target, service, body string) {
		h := map[string]string{}
		if target != "" {
			h["X-Amz-Target"] = target
		}
		if service != "" {
			h["Authorization"] = auth(service)
		}
		r := post(t, emu, h, body)
		if r.status < 200 || r.body == "" {
			t.Fatalf("status %d body %q", r.status, r.body)
		}
	})
}
