package awstest

import (
	"strings"
	"testing"
)

// The parser refuses what IAM refuses when a policy is attached, each as
// MalformedPolicyDocument, and takes the forms IAM takes.
func TestParsePolicy(t *testing.T) {
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":` + s + `}` }
	for _, tc := range []struct {
		name, doc string
		want      string // "" accepted, else a fragment of the message
	}{
		{"one statement", stmt(`{"Effect":"Allow","Action":"ec2:DescribeIpams","Resource":"*"}`), ""},
		{"lists", stmt(`[{"Sid":"A1","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["*"]}]`), ""},
		{"no version", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ""},
		{"version 2008", `{"Version":"2008-10-17","Id":"x","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ""},
		{"conditions", stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::*:role/x","Condition":{
			"StringEqualsIfExists":{"iam:AWSServiceName":["ipam.amazonaws.com"]},"Bool":{"aws:SecureTransport":true},
			"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"ForAnyValue:StringLike":{"aws:TagKeys":"a*"},"Null":{"aws:SourceIp":"true"}}}`), ""},
		{"not JSON", `{"Statement":`, "valid JSON"},
		{"an array", `[]`, "valid JSON"},
		{"trailing data", stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`) + `{}`, "valid JSON"},
		{"unknown element", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Extra":1}`, "Syntax errors"},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "valid version"},
		{"version not a string", `{"Version":2012,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "valid version"},
		{"no statement", `{"Version":"2012-10-17"}`, "no Statement"},
		{"statement a string", stmt(`"x"`), "Statement must be"},
		{"empty statement list", stmt(`[]`), "Statement must be"},
		{"a principal", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), "principal"},
		{"effect lower case", stmt(`{"Effect":"allow","Action":"*","Resource":"*"}`), "Effect"},
		{"no effect", stmt(`{"Action":"*","Resource":"*"}`), "Effect"},
		{"no action", stmt(`{"Effect":"Allow","Resource":"*"}`), "must contain actions"},
		{"action and not action", stmt(`{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}`), "both Action and NotAction"},
		{"action without vendor", stmt(`{"Effect":"Allow","Action":"DescribeIpams","Resource":"*"}`), "prefaced by a vendor"},
		{"empty action name", stmt(`{"Effect":"Allow","Action":"ec2:","Resource":"*"}`), "prefaced by a vendor"},
		{"empty action list", stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "non-empty list"},
		{"action a number", stmt(`{"Effect":"Allow","Action":3,"Resource":"*"}`), "non-empty list"},
		{"no resource", stmt(`{"Effect":"Allow","Action":"*"}`), "must contain resources"},
		{"resource not an ARN", stmt(`{"Effect":"Allow","Action":"*","Resource":"my-role"}`), "ARN format"},
		{"resource arn: alone", stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:"}`), "ARN format"},
		{"sid with a dash", stmt(`{"Sid":"a-b","Effect":"Allow","Action":"*","Resource":"*"}`), "alpha-numeric"},
		{"duplicate sid", stmt(`[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]`), "unique"},
		{"unknown statement element", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Actions":"*"}`), "Syntax errors"},
		{"unknown operator", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"aws:PrincipalAccount":"1"}}}`), "Invalid Condition type"},
		{"unknown set operator", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:PrincipalAccount":"1"}}}`), "Invalid Condition type"},
		{"Null has no IfExists", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:PrincipalAccount":"true"}}}`), "Invalid Condition type"},
		{"condition value an object", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":{}}}}`), "strings, booleans or numbers"},
		{"condition without keys", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}`), "map keys to values"},
		{"condition a list", stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}`), "Condition must be an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ae := parsePolicy("p", tc.doc)
			switch {
			case tc.want == "" && ae != nil:
				t.Fatalf("refused: %v", ae)
			case tc.want != "" && ae == nil:
				t.Fatalf("accepted, want MalformedPolicyDocument %q", tc.want)
			case ae != nil && (ae.code != "MalformedPolicyDocument" || ae.status != 400 || !strings.Contains(ae.message, tc.want)):
				t.Fatalf("got %d %s %q, want 400 MalformedPolicyDocument with %q", ae.status, ae.code, ae.message, tc.want)
			}
		})
	}
}

// The evaluator's decisions, statement by statement, against the rules of
// the IAM User Guide ("Policy evaluation logic", "Condition operators").
func TestEvaluatePolicies(t *testing.T) {
	const role = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
	keys := map[string]string{
		"aws:principalaccount":           "111111111111",
		"aws:principalarn":               "arn:aws:iam::111111111111:role/Operator",
		"aws:requestedregion":            "eu-west-1",
		"organizations:serviceprincipal": "ipam.amazonaws.com",
	}
	listRoots := authzRequest{action: "organizations:ListRoots", resource: "*", keys: keys}
	assume := authzRequest{action: "sts:AssumeRole", resource: role, keys: keys}
	getRole := authzRequest{action: "iam:GetRole", resource: "arn:aws:iam::111111111111:role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM", keys: keys}
	allow := func(action, resource, cond string) string {
		s := `{"Effect":"Allow","Action":` + action + `,"Resource":` + resource
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + `}`
	}
	for _, tc := range []struct {
		name       string
		statements []string
		req        authzRequest
		want       verdict
	}{
		{"no policy", nil, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"exact action", []string{allow(`"organizations:ListRoots"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"action case", []string{allow(`"Organizations:listROOTS"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"action *", []string{allow(`"organizations:List*"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"action ?", []string{allow(`"organizations:List?oots"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"? is one character", []string{allow(`"organizations:List?"`, `"*"`, "")}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"another service", []string{allow(`"ec2:*"`, `"*"`, "")}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"everything", []string{allow(`"*"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"NotAction grants the rest", []string{`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"NotAction excludes", []string{`{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}`}, getRole, verdict{DecisionImplicitDeny, ""}},
		{"explicit deny wins", []string{allow(`"*"`, `"*"`, ""), `{"Sid":"NoRoots","Effect":"Deny","Action":"organizations:ListRoots","Resource":"*"}`},
			listRoots, verdict{DecisionExplicitDeny, "p/NoRoots"}},
		{"first allow decides", []string{`{"Sid":"One","Effect":"Allow","Action":"*","Resource":"*"}`, allow(`"*"`, `"*"`, "")}, listRoots, verdict{DecisionAllowed, "p/One"}},
		{"resource ARN", []string{allow(`"sts:AssumeRole"`, `"arn:aws:iam::*:role/OrganizationAccountAccessRole"`, "")}, assume, verdict{DecisionAllowed, "p/[0]"}},
		{"resource ARN, another role", []string{allow(`"sts:AssumeRole"`, `"arn:aws:iam::*:role/Other"`, "")}, assume, verdict{DecisionImplicitDeny, ""}},
		{"resource ARN is case-sensitive", []string{allow(`"sts:AssumeRole"`, `"arn:aws:iam::*:role/organizationaccountaccessrole"`, "")}, assume, verdict{DecisionImplicitDeny, ""}},
		{"resource wildcard spans the path", []string{allow(`"iam:GetRole"`, `"arn:aws:iam::*:role/*"`, "")}, getRole, verdict{DecisionAllowed, "p/[0]"}},
		{"a * ending a part spans the rest", []string{allow(`"iam:GetRole"`, `"arn:aws:iam::*"`, "")}, getRole, verdict{DecisionAllowed, "p/[0]"}},
		{"another service's ARN", []string{allow(`"iam:GetRole"`, `"arn:aws:ec2::*"`, "")}, getRole, verdict{DecisionImplicitDeny, ""}},
		{"resource list", []string{allow(`"sts:AssumeRole"`, `["arn:aws:iam::1:role/x","arn:aws:iam::222222222222:role/*"]`, "")}, assume, verdict{DecisionAllowed, "p/[0]"}},
		{"an action on * needs Resource *", []string{allow(`"organizations:*"`, `"arn:aws:organizations::*"`, "")}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"NotResource", []string{allow(`"*"`, `"*"`, ""), `{"Sid":"OnlyOAAR","Effect":"Deny","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::*:role/Other"}`},
			assume, verdict{DecisionExplicitDeny, "p/OnlyOAAR"}},
		{"StringEquals holds", []string{allow(`"*"`, `"*"`, `{"StringEquals":{"organizations:ServicePrincipal":"ipam.amazonaws.com"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"StringEquals is case-sensitive", []string{allow(`"*"`, `"*"`, `{"StringEquals":{"organizations:ServicePrincipal":"IPAM.amazonaws.com"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"condition keys are case-insensitive", []string{allow(`"*"`, `"*"`, `{"StringEquals":{"AWS:RequestedRegion":["us-east-1","eu-west-1"]}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"StringEqualsIgnoreCase", []string{allow(`"*"`, `"*"`, `{"StringEqualsIgnoreCase":{"organizations:ServicePrincipal":"IPAM.amazonaws.com"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"StringLike", []string{allow(`"*"`, `"*"`, `{"StringLike":{"aws:RequestedRegion":"eu-*"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"StringLike misses", []string{allow(`"*"`, `"*"`, `{"StringLike":{"aws:RequestedRegion":"us-*"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"StringNotEquals", []string{allow(`"*"`, `"*"`, ""), `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}`},
			listRoots, verdict{DecisionExplicitDeny, "p/[1]"}},
		{"every condition must hold", []string{allow(`"*"`, `"*"`, `{"StringEquals":{"aws:PrincipalAccount":"111111111111","aws:RequestedRegion":"us-east-1"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"ArnLike", []string{allow(`"*"`, `"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Op*"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"ArnLike checks part by part", []string{allow(`"*"`, `"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"ArnNotLike", []string{allow(`"*"`, `"*"`, `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Op*"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"Bool on an unknown key: an Allow does not grant", []string{allow(`"*"`, `"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"an unknown key: a Deny does not apply", []string{allow(`"*"`, `"*"`, ""), `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`},
			listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"an unknown key never holds, negated or not", []string{`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}`, allow(`"*"`, `"*"`, "")},
			listRoots, verdict{DecisionAllowed, "p/[1]"}},
		{"a modeled key absent: StringEquals fails", []string{allow(`"*"`, `"*"`, `{"StringEquals":{"iam:AWSServiceName":"ipam.amazonaws.com"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"a modeled key absent: IfExists holds", []string{allow(`"*"`, `"*"`, `{"StringEqualsIfExists":{"iam:AWSServiceName":"ipam.amazonaws.com"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"a modeled key absent: a negated operator holds", []string{allow(`"*"`, `"*"`, `{"StringNotEquals":{"iam:AWSServiceName":"ipam.amazonaws.com"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"a modeled key absent: Null true holds", []string{allow(`"*"`, `"*"`, `{"Null":{"iam:AWSServiceName":"true"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"a present key: Null true fails", []string{allow(`"*"`, `"*"`, `{"Null":{"aws:RequestedRegion":"true"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"IfExists with the key present compares", []string{allow(`"*"`, `"*"`, `{"StringEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"ForAllValues on an absent key holds", []string{allow(`"*"`, `"*"`, `{"ForAllValues:StringEquals":{"iam:AWSServiceName":"x"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"ForAnyValue on an absent key does not hold, negated or not", []string{allow(`"*"`, `"*"`, `{"ForAnyValue:StringNotEquals":{"iam:AWSServiceName":"x"}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"ForAnyValue on a present key", []string{allow(`"*"`, `"*"`, `{"ForAnyValue:StringLike":{"aws:RequestedRegion":"eu-*"}}`)}, listRoots, verdict{DecisionAllowed, "p/[0]"}},
		{"numeric operators never hold", []string{allow(`"*"`, `"*"`, `{"NumericEquals":{"aws:PrincipalAccount":111111111111}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
		{"Bool compares its text", []string{allow(`"*"`, `"*"`, `{"Bool":{"aws:PrincipalAccount":true}}`)}, listRoots, verdict{DecisionImplicitDeny, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(tc.statements, ",") + `]}`
			var ps []*policy
			if len(tc.statements) > 0 {
				p, ae := parsePolicy("p", doc)
				if ae != nil {
					t.Fatalf("parse: %v", ae)
				}
				ps = append(ps, p)
			}
			if got := evaluate(ps, &tc.req); got != tc.want {
				t.Fatalf("evaluate = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// A session is allowed what both its role's policies and its session
// policy allow; an explicit Deny in either denies.
func TestDecideWithSessionPolicy(t *testing.T) {
	parse := func(name, doc string) *policy {
		p, ae := parsePolicy(name, doc)
		if ae != nil {
			t.Fatal(ae)
		}
		return p
	}
	admin := []*policy{adminPolicy}
	describe := []*policy{parse(sessionPolicyName, `{"Statement":{"Sid":"Describe","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`)}
	denyRegions := []*policy{parse(sessionPolicyName, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoRegions","Effect":"Deny","Action":"ec2:DescribeRegions","Resource":"*"}]}`)}
	regions := &authzRequest{action: "ec2:DescribeRegions", resource: "*"}
	getRole := &authzRequest{action: "iam:GetRole", resource: "arn:aws:iam::1:role/x"}
	for _, tc := range []struct {
		name              string
		identity, session []*policy
		req               *authzRequest
		want              verdict
		bySession         bool
	}{
		{"no session policy", admin, nil, getRole, verdict{DecisionAllowed, "AdministratorAccess/[0]"}, false},
		{"both allow", admin, describe, regions, verdict{DecisionAllowed, "AdministratorAccess/[0]"}, false},
		{"the session policy does not allow", admin, describe, getRole, verdict{DecisionImplicitDeny, ""}, true},
		{"the role does not allow", nil, describe, regions, verdict{DecisionImplicitDeny, ""}, false},
		{"the session policy denies", admin, denyRegions, regions, verdict{DecisionExplicitDeny, "session-policy/NoRegions"}, true},
		{"a session policy that allows nothing", admin, []*policy{}, regions, verdict{DecisionImplicitDeny, ""}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, bySession := decide(tc.identity, tc.session, tc.req)
			if v != tc.want || bySession != tc.bySession {
				t.Fatalf("decide = %+v (by session %t), want %+v (%t)", v, bySession, tc.want, tc.bySession)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true}, {"*", "", true}, {"a*", "a", true}, {"*b", "ab", true}, {"a*b*c", "aXbYbZc", true},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"a*", "b", false}, {"**", "x", true}, {"a*c", "abcd", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %t, want %t", tc.pattern, tc.s, got, tc.want)
		}
	}
}
