package awstest_test

import (
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestAudit(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	m := as(srv, t, member1)

	must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	_, err := enableIPAM(ctx, m, member2) // refused: a member
	wantCode(t, err, "UnauthorizedOperation")
	must[*stsIdentity](t)(callerIdentity(t, c))
	_, err = getRole(ctx, c, awstest.IPAMRoleName)
	wantCode(t, err, "NoSuchEntity")

	if w := srv.Writes(); len(w) != 1 || w[0].Account != member1 || w[0].Succeeded() {
		t.Fatalf("writes = %+v", w)
	}

	got := srv.Requests()
	want := []awstest.Request{
		{Account: mgmt, Service: "organizations", Operation: "DescribeOrganization", Action: "organizations:DescribeOrganization", Status: 200},
		{Account: member1, Service: "ec2", Operation: "EnableIpamOrganizationAdminAccount", Action: "ec2:EnableIpamOrganizationAdminAccount", Write: true, Code: "UnauthorizedOperation", Status: 403},
		{Account: mgmt, Service: "sts", Operation: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Status: 200},
		{Account: mgmt, Service: "iam", Operation: "GetRole", Action: "iam:GetRole", Code: "NoSuchEntity", Status: 404},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.Time.IsZero() || g.RequestID == "" {
			t.Errorf("request %d has no time or id: %+v", i, g)
		}
		g.Time, g.RequestID = want[i].Time, ""
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("request %d = %+v, want %+v", i, g, want[i])
		}
	}

	// The queries over the same log.
	if got := srv.WriteLog(); !slices.Equal(got, []string{"ec2:EnableIpamOrganizationAdminAccount !UnauthorizedOperation"}) {
		t.Errorf("WriteLog = %q", got)
	}
	if got := srv.SucceededWrites(); len(got) != 0 {
		t.Errorf("SucceededWrites = %q", got)
	}
	if got := srv.CallCounts(); !maps.Equal(got, map[string]int{"DescribeOrganization": 1, "EnableIpamOrganizationAdminAccount": 1, "GetCallerIdentity": 1, "GetRole": 1}) {
		t.Errorf("CallCounts = %v", got)
	}
	if n, ok := srv.CountCalls("GetRole"), srv.CountSucceeded("GetRole"); n != 1 || ok != 0 {
		t.Errorf("GetRole: %d calls, %d succeeded", n, ok)
	}
	if got := srv.Callers("EnableIpamOrganizationAdminAccount"); !slices.Equal(got, []string{member1}) || len(srv.Calls("ListAccounts")) != 0 {
		t.Errorf("Callers = %v, ListAccounts %v", got, srv.Calls("ListAccounts"))
	}

	srv.ResetRequests()
	if len(srv.Requests()) != 0 || len(srv.Writes()) != 0 {
		t.Fatal("ResetRequests left records")
	}

	// Every write operation counts as a write.
	must[any](t)(c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}))
	if w := srv.Writes(); len(w) != 1 || w[0].Action != "organizations:EnableAWSServiceAccess" || !w[0].Succeeded() || w[0].Status != http.StatusOK {
		t.Fatalf("writes = %+v", w)
	}
	if got := srv.SucceededWrites(); !slices.Equal(got, []string{"organizations:EnableAWSServiceAccess"}) {
		t.Errorf("SucceededWrites = %q", got)
	}
}

// TestOperationsDocumented: the operations that the package comment
// (doc.go) and docs/emulator.md list, service by service, are exactly
// those the emulator serves (Operations): a new operation is documented in
// both, and nothing documented is missing.
func TestOperationsDocumented(t *testing.T) {
	want := awstest.Operations()
	for _, svc := range []string{"organizations", "ec2", "sts", "iam"} {
		if len(want[svc]) == 0 {
			t.Errorf("no operation of %s", svc)
		}
	}
	for doc, got := range map[string]map[string][]string{
		"doc.go":           docGoOperations(t),
		"docs/emulator.md": emulatorMDOperations(t),
	} {
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s lists %v\nthe emulator serves %v", doc, got, want)
		}
	}
}

// services maps the names the documents give the services to Operations'
// keys.
var services = map[string]string{"Organizations": "organizations", "EC2": "ec2", "STS": "sts", "IAM": "iam"}

var operationName = regexp.MustCompile(`\A[A-Z][A-Za-z0-9]+\z`)

// docGoOperations returns the operations the package comment's bullets
// list, sorted: "  - Organizations (awsJson1_1): A, B, and the tree: C;".
func docGoOperations(t *testing.T) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	svc := ""
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "- "):
			name, rest, _ := strings.Cut(strings.TrimPrefix(line, "- "), " ")
			svc = services[name]
			_, line, _ = strings.Cut(rest, ":")
		case line == "":
			svc = ""
		}
		if svc == "" {
			continue
		}
		for _, item := range strings.Split(line, ",") {
			if i := strings.LastIndexByte(item, ':'); i >= 0 {
				item = item[i+1:]
			}
			item = strings.TrimPrefix(strings.Trim(item, " ;."), "and ")
			if operationName.MatchString(item) {
				out[svc] = append(out[svc], item)
			}
		}
	}
	for _, ops := range out {
		slices.Sort(ops)
	}
	return out
}

// emulatorMDOperations returns the operations that docs/emulator.md's
// tables ("| operation | what it models |") list under each service's
// heading, sorted.
func emulatorMDOperations(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/emulator.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	svc, table := "", false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			svc = ""
			for name, key := range services {
				if strings.Contains(line, name) {
					svc = key
				}
			}
		case line == "| operation | what it models |":
			table = true
		case !strings.HasPrefix(line, "|"):
			table = false
		case table && svc != "" && !strings.HasPrefix(line, "|---"):
			first := strings.Split(line, "|")[1]
			for _, name := range strings.Split(first, ",") {
				if name = strings.Trim(strings.TrimSpace(name), "`"); operationName.MatchString(name) {
					out[svc] = append(out[svc], name)
				}
			}
		}
	}
	for _, ops := range out {
		slices.Sort(ops)
	}
	return out
}
