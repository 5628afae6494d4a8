package awstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// policy is a parsed IAM identity policy document (an inline role policy
// or a session policy), ready to evaluate.
type policy struct {
	// name labels its statements in decisions: the inline policy's name,
	// sessionPolicyName, or adminPolicyName.
	name       string
	statements []statement
}

// statement is one statement of a policy. Actions are kept lower-cased
// (IAM matches them case-insensitively); resources as written (ARNs match
// case-sensitively).
type statement struct {
	label       string // Sid, or "[i]" (its 0-based position) without one
	allow       bool
	actions     []string
	notAction   bool
	resources   []string
	notResource bool
	conditions  []condition
}

// Labels of the policies that are not inline role policies.
const (
	sessionPolicyName = "session-policy"
	// adminPolicyName is the managed policy Organizations attaches to
	// OrganizationAccountAccessRole; the emulator has no other managed
	// policy.
	adminPolicyName = "AdministratorAccess"
)

// adminPolicy is AdministratorAccess: every action on every resource.
var adminPolicy = &policy{name: adminPolicyName, statements: []statement{
	{label: "[0]", allow: true, actions: []string{"*"}, resources: []string{"*"}},
}}

// malformedPolicy is the answer to a document IAM would not accept, in
// IAM's and STS's terms.
func malformedPolicy(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "MalformedPolicyDocument", format, args...)
}

// parsePolicy parses and validates an identity policy document as IAM
// does when the document is attached (iam:PutRolePolicy) or passed as a
// session policy (sts:AssumeRole): a JSON object with an optional Version
// (2012-10-17 or 2008-10-17) and Id, and a Statement that is one
// statement or a list of them, each with an Effect, exactly one of Action
// and NotAction, exactly one of Resource and NotResource, an optional
// alphanumeric Sid unique in the document and an optional Condition; no
// Principal, and no other element. Errors are MalformedPolicyDocument.
func parsePolicy(name, doc string) (*policy, *apiError) {
	top, ae := policyObject([]byte(doc))
	if ae != nil {
		return nil, ae
	}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, malformedPolicy("Syntax errors in policy: unknown element %s.", truncate(k, 64))
		}
	}
	if raw, ok := top["Version"]; ok {
		var v string
		if json.Unmarshal(raw, &v) != nil || v != "2012-10-17" && v != "2008-10-17" {
			return nil, malformedPolicy("The policy must contain a valid version string")
		}
	}
	if raw, ok := top["Id"]; ok {
		var id string
		if json.Unmarshal(raw, &id) != nil {
			return nil, malformedPolicy("Syntax errors in policy: Id must be a string.")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformedPolicy("Syntax errors in policy: the policy has no Statement.")
	}
	var list []json.RawMessage
	switch firstByte(raw) {
	case '{':
		list = []json.RawMessage{raw}
	case '[':
		if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
			return nil, malformedPolicy("Syntax errors in policy: Statement must be a statement or a non-empty list of them.")
		}
	default:
		return nil, malformedPolicy("Syntax errors in policy: Statement must be a statement or a non-empty list of them.")
	}
	p := &policy{name: name}
	sids := map[string]bool{}
	for i, r := range list {
		st, ae := parseStatement(i, r)
		if ae != nil {
			return nil, ae
		}
		if st.label[0] != '[' {
			if sids[st.label] {
				return nil, malformedPolicy("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[st.label] = true
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

// policyObject decodes one JSON object and nothing after it.
func policyObject(b []byte) (map[string]json.RawMessage, *apiError) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if firstByte(b) != '{' || dec.Decode(&obj) != nil || dec.More() {
		return nil, malformedPolicy("The policy is not in the valid JSON format.")
	}
	return obj, nil
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func parseStatement(i int, raw json.RawMessage) (statement, *apiError) {
	st := statement{label: "[" + strconv.Itoa(i) + "]"}
	if firstByte(raw) != '{' {
		return st, malformedPolicy("Syntax errors in policy: a statement must be an object.")
	}
	var el map[string]json.RawMessage
	if json.Unmarshal(raw, &el) != nil {
		return st, malformedPolicy("The policy is not in the valid JSON format.")
	}
	for k := range el {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
		case "Principal", "NotPrincipal":
			return st, malformedPolicy("Policy document should not specify a principal.")
		default:
			return st, malformedPolicy("Syntax errors in policy: unknown element %s in a statement.", truncate(k, 64))
		}
	}
	if r, ok := el["Sid"]; ok {
		var sid string
		if json.Unmarshal(r, &sid) != nil || strings.IndexFunc(sid, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
		}) >= 0 {
			return st, malformedPolicy("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
		}
		if sid != "" {
			st.label = sid
		}
	}
	var effect string
	if json.Unmarshal(el["Effect"], &effect) != nil || effect != "Allow" && effect != "Deny" {
		return st, malformedPolicy("Syntax errors in policy: the Effect of a statement must be Allow or Deny.")
	}
	st.allow = effect == "Allow"

	var ae *apiError
	st.actions, st.notAction, ae = exclusiveList(el, "Action", "NotAction", "Policy statement must contain actions.")
	if ae != nil {
		return st, ae
	}
	for j, a := range st.actions {
		if !validActionPattern(a) {
			return st, malformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
		st.actions[j] = strings.ToLower(a)
	}
	st.resources, st.notResource, ae = exclusiveList(el, "Resource", "NotResource", "Policy statement must contain resources.")
	if ae != nil {
		return st, ae
	}
	for _, r := range st.resources {
		if !validResourcePattern(r) {
			return st, malformedPolicy("Resource %s must be in ARN format or \"*\".", truncate(r, 256))
		}
	}
	if r, ok := el["Condition"]; ok {
		if st.conditions, ae = parseConditions(r); ae != nil {
			return st, ae
		}
	}
	return st, nil
}

// exclusiveList reads the element name or its negation notName (exactly
// one of them), each a string or a non-empty list of strings.
func exclusiveList(el map[string]json.RawMessage, name, notName, missing string) ([]string, bool, *apiError) {
	r, has := el[name]
	nr, hasNot := el[notName]
	switch {
	case has && hasNot:
		return nil, false, malformedPolicy("Syntax errors in policy: a statement has both %s and %s.", name, notName)
	case !has && !hasNot:
		return nil, false, malformedPolicy("%s", missing)
	case hasNot:
		r = nr
	}
	values, ok := stringOrList(r)
	if !ok || len(values) == 0 {
		return nil, false, malformedPolicy("Syntax errors in policy: %s must be a string or a non-empty list of strings.", name)
	}
	return values, hasNot, nil
}

// stringOrList decodes a JSON string or list of strings.
func stringOrList(r json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(r, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(r, &many) == nil {
		return many, true
	}
	return nil, false
}

// validActionPattern accepts "*" and "<service prefix>:<action pattern>".
func validActionPattern(a string) bool {
	if a == "*" {
		return true
	}
	prefix, name, ok := strings.Cut(a, ":")
	return ok && name != "" && prefix != "" && strings.IndexFunc(prefix, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')
	}) < 0
}

// validResourcePattern accepts "*" and ARN patterns.
func validResourcePattern(r string) bool {
	return r == "*" || strings.HasPrefix(r, "arn:") && len(r) > len("arn:")
}

// authzRequest is one action a request needs, as IAM evaluates it.
type authzRequest struct {
	action   string // "service:Operation"
	resource string // an ARN, or "*" for actions without resource-level permissions
	// keys are the condition keys the request carries, lower-cased.
	keys map[string]string
}

// applies reports whether the statement matches the request.
func (s *statement) applies(r *authzRequest) bool {
	action := strings.ToLower(r.action)
	if anyMatch(s.actions, func(p string) bool { return globMatch(p, action) }) == s.notAction {
		return false
	}
	if anyMatch(s.resources, func(p string) bool { return resourceMatch(p, r.resource) }) == s.notResource {
		return false
	}
	for i := range s.conditions {
		if !s.conditions[i].holds(r.keys) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, match func(string) bool) bool {
	for _, p := range patterns {
		if match(p) {
			return true
		}
	}
	return false
}

// resourceMatch matches a Resource pattern against a request's resource,
// case-sensitively: "*" matches everything; an action that authorizes on
// "*" is matched only by "*"; an ARN pattern's * may match across colons,
// as the IAM User Guide says of a * that ends an ARN segment ("IAM JSON
// policy elements: Resource").
func resourceMatch(pattern, resource string) bool {
	switch {
	case pattern == "*":
		return true
	case resource == "*":
		return false
	}
	return globMatch(pattern, resource)
}

// arnMatch matches an ARN pattern against an ARN, each of the six
// colon-separated parts on its own, case-sensitively, with * and ?, as
// the ArnLike condition operator does.
func arnMatch(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return false
	}
	for i := range pp {
		if !globMatch(pp[i], ap[i]) {
			return false
		}
	}
	return true
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters (none included) and ? any one character.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// IAM's decisions, named as its policy simulator names them, for
// Request.Decision and Evaluation.Decision.
const (
	DecisionAllowed      = "allowed"
	DecisionExplicitDeny = "explicitDeny"
	DecisionImplicitDeny = "implicitDeny"
)

// verdict is the outcome of evaluating policies for one request.
type verdict struct {
	decision string
	// statement is the deciding statement, "<policy>/<label>"; "" for an
	// implicit deny.
	statement string
}

// evaluate applies IAM's rule to one set of policies: an explicit Deny
// wins over an Allow, and without an Allow the request is implicitly
// denied. The first matching statement, in policy order, decides.
func evaluate(policies []*policy, r *authzRequest) verdict {
	var allow string
	for _, p := range policies {
		for i := range p.statements {
			s := &p.statements[i]
			if !s.applies(r) {
				continue
			}
			if !s.allow {
				return verdict{DecisionExplicitDeny, p.name + "/" + s.label}
			}
			if allow == "" {
				allow = p.name + "/" + s.label
			}
		}
	}
	if allow != "" {
		return verdict{DecisionAllowed, allow}
	}
	return verdict{DecisionImplicitDeny, ""}
}

// decide combines a role session's identity policies with its session
// policy (session nil: none): an explicit Deny in either denies, and the
// request is allowed only when both allow it (IAM User Guide, "Policy
// evaluation logic", session policies). bySession reports that the
// session policy decided a denial.
func decide(identity, session []*policy, r *authzRequest) (v verdict, bySession bool) {
	iv := evaluate(identity, r)
	if iv.decision == DecisionExplicitDeny || session == nil {
		return iv, false
	}
	sv := evaluate(session, r)
	switch {
	case sv.decision == DecisionExplicitDeny:
		return sv, true
	case iv.decision == DecisionAllowed && sv.decision != DecisionAllowed:
		return verdict{DecisionImplicitDeny, ""}, true
	}
	return iv, false
}
