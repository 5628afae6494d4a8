package awstest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// Organizations knows its service principals: tools probe a service's
// availability by UNRECOGNIZED_SERVICE_PRINCIPAL.
func TestUnknownServicePrincipal(t *testing.T) {
	srv, c := startServer(t, func(o *awstest.ServerOptions) { o.ServicePrincipals = []string{"internal.example.amazonaws.com"} })
	ctx := t.Context()
	bogus := aws.String("nosuchservice.amazonaws.com")
	unrecognized := func(name string, err error) {
		t.Helper()
		var ii *orgtypes.InvalidInputException
		if !errors.As(err, &ii) || ii.Reason != orgtypes.InvalidInputExceptionReasonUnrecognizedServicePrincipal {
			t.Errorf("%s: got %v, want UNRECOGNIZED_SERVICE_PRINCIPAL", name, err)
		}
	}
	_, err := c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: bogus})
	unrecognized("EnableAWSServiceAccess", err)
	_, err = c.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: bogus})
	unrecognized("DisableAWSServiceAccess", err)
	_, err = c.org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member1), ServicePrincipal: bogus})
	unrecognized("RegisterDelegatedAdministrator", err)
	_, err = c.org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: bogus})
	unrecognized("ListDelegatedAdministrators", err)
	if len(srv.Snapshot().TrustedServices) != 0 {
		t.Fatal("an unknown principal was trusted")
	}
	// Known ones, the added one included, work.
	for _, p := range []string{"guardduty.amazonaws.com", "internal.example.amazonaws.com"} {
		must[*organizations.EnableAWSServiceAccessOutput](t)(c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}))
	}
	if got := listTrusted(t, c); len(got) != 2 {
		t.Fatalf("trusted = %v", got)
	}
}

// A second DeleteServiceLinkedRole while the first task is in progress
// gets the first task, as IAM documents, even though the latest state no
// longer has the role.
func TestDeleteServiceLinkedRoleInProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithLag(10*time.Second, 0))
		c := memClients(t, emu, mgmt)
		ctx := t.Context()
		emu.PutRole(mgmt, awstest.IPAMRoleName)
		del := &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}
		first := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, del))
		time.Sleep(5 * time.Second)
		must[*iam.GetRoleOutput](t)(getRole(ctx, c, awstest.IPAMRoleName)) // still visible
		second := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, del))
		if *second.DeletionTaskId != *first.DeletionTaskId {
			t.Fatalf("second task %s, want the first %s", *second.DeletionTaskId, *first.DeletionTaskId)
		}
		time.Sleep(6 * time.Second)
		st := must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(ctx,
			&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: first.DeletionTaskId}))
		if st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
			t.Fatalf("status = %s", st.Status)
		}
		_, err := c.iam.DeleteServiceLinkedRole(ctx, del)
		wantCode(t, err, "NoSuchEntity")
	})
}

// IAM's documented rule: the role's deletion task fails while IPAM
// resources exist in the account, naming their Regions and ARNs.
func TestServiceLinkedRoleInUseByIPAM(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	east, west := createIPAM(t, c, "us-east-1"), createIPAM(t, withRegion(c, "eu-west-1"), "eu-west-1")
	out := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}))
	st := must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(ctx,
		&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId}))
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil || len(st.Reason.RoleUsageList) != 2 {
		t.Fatalf("status = %+v", st)
	}
	u := st.Reason.RoleUsageList
	if aws.ToString(u[0].Region) != "eu-west-1" || len(u[0].Resources) != 1 || u[0].Resources[0] != aws.ToString(west.IpamArn) ||
		aws.ToString(u[1].Region) != "us-east-1" || u[1].Resources[0] != aws.ToString(east.IpamArn) {
		t.Fatalf("role usage = %+v", u)
	}
	if !srv.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
		t.Fatal("a failed deletion removed the role")
	}
	deleteIPAM(t, c, *east.IpamId)
	deleteIPAM(t, withRegion(c, "eu-west-1"), *west.IpamId)
	out = must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}))
	st = must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(ctx,
		&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId}))
	if st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("after deleting the IPAMs: %+v", st)
	}
}

// Injected faults take each service's modeled status.
func TestFaultStatusesFromModels(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	for _, tc := range []struct {
		op, code string
		status   int
		call     func() error
	}{
		{"GetRole", "LimitExceeded", http.StatusConflict, func() error { _, err := getRole(ctx, c, "x"); return err }},
		{"GetRole", "NoSuchEntity", http.StatusNotFound, func() error { _, err := getRole(ctx, c, "x"); return err }},
		{"GetRole", "ServiceFailure", http.StatusInternalServerError, func() error { _, err := getRole(ctx, c, "x"); return err }},
		{"AssumeRole", "RegionDisabledException", http.StatusForbidden, func() error {
			_, err := callerIdentity(t, c)
			return err
		}},
		{"DescribeOrganization", "ServiceException", http.StatusInternalServerError, func() error {
			_, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
		{"DescribeOrganization", "AccessDeniedException", http.StatusBadRequest, func() error {
			_, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
	} {
		op := tc.op
		if op == "AssumeRole" {
			op = "GetCallerIdentity" // the same STS model
		}
		srv.InjectFault(op, awstest.Fault{Code: tc.code, Count: 1})
		err := tc.call()
		wantCode(t, err, tc.code)
		wantStatus(t, err, tc.status)
	}
}

// TestStatusesMatchModels checks the emulator's status table against the
// botocore service models, when botocore is installed.
// botocoreData is the folder of botocore's service models; the test is
// skipped without botocore.
func botocoreData(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	out, err := exec.Command(py, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Skip("botocore is not installed")
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data")
}

func TestStatusesMatchModels(t *testing.T) {
	t.Parallel() // see helpers_test.go
	dir := botocoreData(t)
	srv, _ := startServer(t)
	for _, m := range []struct{ service, version, protocol string }{
		{"iam", "2010-05-08", "query"}, {"sts", "2011-06-15", "query"}, {"organizations", "2016-11-28", "json"},
	} {
		model := readModel(t, filepath.Join(dir, m.service, m.version, "service-2.json"))
		checked := 0
		for name, s := range model.Shapes {
			if !s.Exception {
				continue
			}
			code, status := name, http.StatusBadRequest
			if s.Error.Code != "" {
				code = s.Error.Code
			}
			if s.Error.HTTPStatusCode != 0 {
				status = s.Error.HTTPStatusCode
			} else if s.Fault {
				status = http.StatusInternalServerError
			}
			op := map[string]string{"iam": "GetRole", "sts": "GetCallerIdentity", "organizations": "DescribeOrganization"}[m.service]
			srv.InjectFault(op, awstest.Fault{Code: code, Count: 1})
			var r rawResponse
			if m.protocol == "json" {
				r = post(t, srv, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128." + op, "Authorization": auth(m.service)}, "{}")
			} else {
				r = post(t, srv, map[string]string{"Authorization": auth(m.service)}, "Action="+op+"&RoleName=x")
			}
			if r.status != status {
				t.Errorf("%s %s: status %d, model says %d", m.service, code, r.status, status)
			}
			checked++
		}
		if checked < 10 {
			t.Fatalf("%s: only %d modeled errors", m.service, checked)
		}
	}
}

type serviceModel struct {
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Endpoint *struct {
			HostPrefix string `json:"hostPrefix"`
		} `json:"endpoint"`
	} `json:"operations"`
	Shapes map[string]struct {
		Exception bool `json:"exception"`
		Fault     bool `json:"fault"`
		Error     struct {
			Code           string `json:"code"`
			HTTPStatusCode int    `json:"httpStatusCode"`
		} `json:"error"`
	} `json:"shapes"`
}

func readModel(t *testing.T, path string) serviceModel {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		data, err = gunzipFile(path + ".gz")
	}
	if err != nil {
		t.Skipf("no model at %s: %v", path, err)
	}
	var m serviceModel
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func TestProtocolStrictness(t *testing.T) {
	emu := awstest.New()
	// PUT (or any method but POST).
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"json", map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization", "Authorization": auth("organizations")}, "{}"},
		{"query", map[string]string{"Authorization": auth("sts")}, "Action=GetCallerIdentity"},
	} {
		req := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(tc.body))
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s PUT: %d %s", tc.name, w.Code, w.Body)
		}
	}
	// A POST's Action comes from its body, not its query string.
	req := httptest.NewRequest(http.MethodPost, "/?Action=GetCallerIdentity", strings.NewReader("Version=2011-06-15"))
	req.Header.Set("Authorization", auth("sts"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if code := queryError(t, rawResponse{w.Code, w.Body.String()}); code != "MissingAction" {
		t.Errorf("action in a POST's query string: %d %s", w.Code, w.Body)
	}
	// Member names are case-sensitive: "accountid" is not AccountId.
	r := post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeAccount", "Authorization": auth("organizations")}, `{"accountid":"222222222222"}`)
	if jsonError(t, r) != "InvalidInputException" || !strings.Contains(r.body, "INPUT_REQUIRED") {
		t.Errorf("lower-case member: %d %s", r.status, r.body)
	}
	if r := post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeAccount", "Authorization": auth("organizations")}, `{"AccountId":"222222222222"}`); r.status != 200 {
		t.Errorf("exact member: %d %s", r.status, r.body)
	}
	// A request signed for one service is not answered as another.
	r = post(t, emu, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization", "Authorization": auth("ec2")}, "{}")
	if jsonError(t, r) != "InvalidSignatureException" {
		t.Errorf("organizations signed for ec2: %d %s", r.status, r.body)
	}
	r = post(t, emu, map[string]string{"Authorization": auth("iam")}, "Action=GetCallerIdentity&Version=2011-06-15")
	if queryError(t, r) != "InvalidAction" {
		t.Errorf("sts action signed for iam: %d %s", r.status, r.body)
	}
	r = post(t, emu, map[string]string{"Authorization": auth("sts")}, "Action=DescribeRegions&Version=2016-11-15")
	if queryError(t, r) != "InvalidAction" {
		t.Errorf("ec2 action signed for sts: %d %s", r.status, r.body)
	}
	if len(emu.Writes()) != 0 {
		t.Fatalf("writes: %+v", emu.Writes())
	}
}
