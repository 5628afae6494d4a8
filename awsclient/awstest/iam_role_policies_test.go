package awstest_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

const describeOnly = `{"Version":"2012-10-17","Statement":[{"Sid":"Describe","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`

func putPolicy(t *testing.T, c clients, role, name, doc string) error {
	t.Helper()
	_, err := c.iam.PutRolePolicy(t.Context(), &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	return err
}

func rolePolicyNames(t *testing.T, c clients, role string) []string {
	t.Helper()
	names := []string{}
	p := iam.NewListRolePoliciesPaginator(c.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(role), MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListRolePolicies: %v", err)
		}
		if len(out.PolicyNames) > 1 {
			t.Fatalf("a page of %d names for MaxItems 1", len(out.PolicyNames))
		}
		names = append(names, out.PolicyNames...)
	}
	return names
}

// iam:PutRolePolicy, GetRolePolicy, ListRolePolicies and DeleteRolePolicy
// over the wire, in IAM's shapes: the document comes back URL-encoded,
// the list pages with Marker, and each error is IAM's.
func TestRolePoliciesOverTheWire(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	srv.PutRole(mgmt, "Operator")

	must[any](t)(nil, putPolicy(t, c, "Operator", "b", describeOnly))
	must[any](t)(nil, putPolicy(t, c, "Operator", "a", describeOnly))
	got := must[*iam.GetRolePolicyOutput](t)(c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("b")}))
	doc, err := url.QueryUnescape(aws.ToString(got.PolicyDocument))
	if err != nil || doc != describeOnly || aws.ToString(got.RoleName) != "Operator" || aws.ToString(got.PolicyName) != "b" {
		t.Fatalf("GetRolePolicy = %+v (%q, %v)", got, doc, err)
	}
	if names := rolePolicyNames(t, c, "Operator"); !slices.Equal(names, []string{"a", "b"}) {
		t.Fatalf("ListRolePolicies = %v", names)
	}
	if w := srv.Writes(); len(w) != 2 || w[0].Action != "iam:PutRolePolicy" {
		t.Fatalf("writes = %+v", w)
	}

	must[*iam.DeleteRolePolicyOutput](t)(c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("a")}))
	if names := rolePolicyNames(t, c, "Operator"); !slices.Equal(names, []string{"b"}) {
		t.Fatalf("after DeleteRolePolicy: %v", names)
	}
	_, err = c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("a")})
	wantCode(t, err, "NoSuchEntity")
	wantStatus(t, err, 404)
	_, err = c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("a")})
	wantCode(t, err, "NoSuchEntity")

	// Each refusal changes nothing.
	for _, tc := range []struct {
		name, role, policy, doc, code string
		status                        int
	}{
		{"a malformed document", "Operator", "c", `{"Statement":{"Effect":"Allow","Action":"DescribeIpams","Resource":"*"}}`, "MalformedPolicyDocument", 400},
		{"not JSON", "Operator", "c", `{"Statement":`, "MalformedPolicyDocument", 400},
		{"a principal", "Operator", "c", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, "MalformedPolicyDocument", 400},
		{"no such role", "Nobody", "c", describeOnly, "NoSuchEntity", 404},
		{"a service-linked role", awstest.IPAMRoleName, "c", describeOnly, "UnmodifiableEntity", 400},
		{"a bad policy name", "Operator", "c d", describeOnly, "ValidationError", 400},
		{"over IAM's size quota", "Operator", "c", `{"Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Sid":"` + strings.Repeat("x", 10300) + `"}}`, "LimitExceeded", 409},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.role == awstest.IPAMRoleName {
				srv.PutRole(mgmt, awstest.IPAMRoleName)
			}
			err := putPolicy(t, c, tc.role, tc.policy, tc.doc)
			wantCode(t, err, tc.code)
			wantStatus(t, err, tc.status)
			if names := rolePolicyNames(t, c, "Operator"); !slices.Equal(names, []string{"b"}) {
				t.Fatalf("policies = %v", names)
			}
		})
	}
}

// The Go API refuses what the wire refuses, with the same codes, and its
// policies show over the wire; a role made anew has none; Reset removes
// them.
func TestPutRolePolicyAPI(t *testing.T) {
	srv, c := startServer(t)
	m1 := as(srv, t, member1)
	must[any](t)(nil, srv.PutRolePolicy(member1, awstest.OrganizationAccessRoleName, "describe", describeOnly))
	if names := rolePolicyNames(t, m1, awstest.OrganizationAccessRoleName); !slices.Equal(names, []string{"describe"}) {
		t.Fatalf("policies = %v", names)
	}
	for _, tc := range []struct {
		name, account, role, policy, doc, code string
	}{
		{"malformed", member1, awstest.OrganizationAccessRoleName, "x", `{"Statement":[]}`, "MalformedPolicyDocument"},
		{"no such role", mgmt, awstest.OrganizationAccessRoleName, "x", describeOnly, "NoSuchEntity"},
		{"not an account", "12", "R", "x", describeOnly, "NoSuchEntity"},
		{"bad role name", mgmt, "a b", "x", describeOnly, "ValidationError"},
		{"bad policy name", member1, awstest.OrganizationAccessRoleName, "", describeOnly, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := srv.PutRolePolicy(tc.account, tc.role, tc.policy, tc.doc)
			var pe *awstest.PolicyError
			if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message == "" {
				t.Fatalf("got %v, want a *PolicyError %s", err, tc.code)
			}
		})
	}
	srv.PutRole(mgmt, "Operator")
	must[any](t)(nil, srv.PutRolePolicy(mgmt, "Operator", "describe", describeOnly))
	srv.RemoveRole(mgmt, "Operator")
	srv.PutRole(mgmt, "Operator")
	if names := rolePolicyNames(t, c, "Operator"); len(names) != 0 {
		t.Fatalf("a role made anew has policies %v", names)
	}
	srv.Reset()
	if names := rolePolicyNames(t, m1, awstest.OrganizationAccessRoleName); len(names) != 0 {
		t.Fatalf("after Reset: %v", names)
	}
}

// A scenario file's "policies": documents as JSON objects or strings, on
// the roles the accounts have; Reset brings them back.
func TestScenarioPolicies(t *testing.T) {
	s, err := awstest.DecodeScenario("x.json", strings.NewReader(`{
	  "managementAccount": {"id": "111111111111", "roles": ["Operator"],
	    "policies": {"Operator": [{"name": "describe", "document": `+describeOnly+`}]}},
	  "members": [{"id": "222222222222",
	    "policies": {"OrganizationAccountAccessRole": [{"name": "s", "document": "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}"}]}}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	srv, c := startServer(t, awstest.WithScenario(*s))
	check := func() {
		t.Helper()
		got := must[*iam.GetRolePolicyOutput](t)(c.iam.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("describe")}))
		if doc, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); doc != describeOnly {
			t.Fatalf("document = %q", doc)
		}
		if names := rolePolicyNames(t, as(srv, t, member1), awstest.OrganizationAccessRoleName); !slices.Equal(names, []string{"s"}) {
			t.Fatalf("member policies = %v", names)
		}
	}
	check()
	must[*iam.DeleteRolePolicyOutput](t)(c.iam.DeleteRolePolicy(t.Context(), &iam.DeleteRolePolicyInput{RoleName: aws.String("Operator"), PolicyName: aws.String("describe")}))
	srv.Reset()
	check()
}

func TestScenarioPolicyErrors(t *testing.T) {
	doc := func(accounts string) string { return `{"managementAccount": {"id": "111111111111"` + accounts + `}` }
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"no such role", doc(`, "policies": {"Operator": [{"name": "p", "document": ` + describeOnly + `}]}}`),
			`managementAccount.policies["Operator"]: the account has no role "Operator"`},
		{"no access role in the management account", doc(`, "policies": {"OrganizationAccountAccessRole": [{"name": "p", "document": ` + describeOnly + `}]}}`),
			`managementAccount.policies["OrganizationAccountAccessRole"]: the account has no role`},
		{"an invited member", doc(`}, "members": [{"id": "222222222222", "joinedMethod": "INVITED", "policies": {"OrganizationAccountAccessRole": [{"name": "p", "document": ` + describeOnly + `}]}}]`),
			`members[0].policies["OrganizationAccountAccessRole"]: the account has no role`},
		{"a removed role", doc(`}, "members": [{"id": "222222222222", "withoutRoles": ["OrganizationAccountAccessRole"], "policies": {"OrganizationAccountAccessRole": [{"name": "p", "document": ` + describeOnly + `}]}}]`),
			`members[0].policies["OrganizationAccountAccessRole"]: role "OrganizationAccountAccessRole" is removed at start`},
		{"a service-linked role", doc(`, "roles": ["AWSServiceRoleForIPAM"], "policies": {"AWSServiceRoleForIPAM": [{"name": "p", "document": ` + describeOnly + `}]}}`),
			"is service-linked"},
		{"a malformed document", doc(`, "roles": ["R"], "policies": {"R": [{"name": "p", "document": {"Statement": {"Effect": "Allow", "Action": "x", "Resource": "*"}}}]}}`),
			`managementAccount.policies["R"][0].document: Actions/Conditions must be prefaced by a vendor`},
		{"a bad name", doc(`, "roles": ["R"], "policies": {"R": [{"name": "a b", "document": ` + describeOnly + `}]}}`),
			`managementAccount.policies["R"][0].name: "a b" is not a policy name`},
		{"a duplicate name", doc(`, "roles": ["R"], "policies": {"R": [{"name": "p", "document": ` + describeOnly + `}, {"name": "p", "document": ` + describeOnly + `}]}}`),
			`managementAccount.policies["R"][1].name: duplicate policy name "p"`},
		{"a document that is neither object nor string", doc(`, "roles": ["R"], "policies": {"R": [{"name": "p", "document": 3}]}}`),
			"a policy document must be a JSON object or a string"},
		{"an unknown field", doc(`, "roles": ["R"], "policies": {"R": [{"nme": "p", "document": ` + describeOnly + `}]}}`),
			`unknown field "nme"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awstest.DecodeScenario("x.json", strings.NewReader(tc.doc))
			var se *awstest.SpecError
			if !errors.As(err, &se) || se.File != "x.json" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a *SpecError for x.json with %q", err, tc.want)
			}
		})
	}
}
