package awstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// InlinePolicy is an inline identity policy of a role, as
// iam:PutRolePolicy attaches it: a scenario file's
// {"name": "...", "document": {...}} (see Account.Policies).
type InlinePolicy struct {
	// Name is the policy's name, IAM's [\w+=,.@-]{1,128}.
	Name string `json:"name"`
	// Document is the policy document (JSON).
	Document PolicyDocument `json:"document"`
}

// PolicyDocument is an IAM policy document as JSON text. In a scenario
// file it is written either as a JSON object or as a string holding one.
type PolicyDocument string

// UnmarshalJSON takes a JSON object (kept as written) or a JSON string.
func (d *PolicyDocument) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '{':
		*d = PolicyDocument(bytes.TrimSpace(b))
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = PolicyDocument(s)
		return nil
	}
	return errors.New("a policy document must be a JSON object or a string")
}

// MarshalJSON writes a document that is a JSON object as the object, any
// other as a string.
func (d PolicyDocument) MarshalJSON() ([]byte, error) {
	if firstByte([]byte(d)) == '{' && json.Valid([]byte(d)) {
		return []byte(d), nil
	}
	return json.Marshal(string(d))
}

// A PolicyError is why PutRolePolicy refused a policy. Code is the error
// code iam:PutRolePolicy answers in the same case: MalformedPolicyDocument,
// NoSuchEntity (no such role), UnmodifiableEntity (a service-linked role),
// LimitExceeded (the role's inline policies would exceed IAM's 10,240
// characters) or ValidationError (a malformed name).
type PolicyError struct {
	Code    string
	Message string
}

func (e *PolicyError) Error() string { return "awstest: " + e.Code + ": " + e.Message }

// PutRolePolicy attaches the inline identity policy name, with the JSON
// document, to role in account, replacing a policy of that name, as
// iam:PutRolePolicy does: at once, bypassing the lag, the audit log and
// the faults. The policies are evaluated only with IAM enforcement on
// (WithIAMEnforcement). The first policy put on OrganizationAccountAccessRole
// takes the place of its AdministratorAccess. Reset restores the policies
// the emulator started with. It returns a *PolicyError, and changes
// nothing, for a document IAM would refuse, a role that does not exist or
// is service-linked, or a name IAM does not accept. Safe for concurrent
// use.
func (e *Emulator) PutRolePolicy(account, role, name, document string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ae *apiError
	switch {
	case !isAccountID(account):
		ae = errf(http.StatusNotFound, "NoSuchEntity", "%q is not a 12-digit account id", account)
	case !validRoleName(role):
		ae = iamValidation("%q is not a valid role name", role)
	default:
		ae = e.putRolePolicy(account, role, name, document)
	}
	if ae != nil {
		return &PolicyError{Code: ae.code, Message: ae.message}
	}
	return nil
}

// inlinePolicy is an inline policy as stored: the document as given (for
// GetRolePolicy) and parsed (for evaluation).
type inlinePolicy struct {
	name, document string
	parsed         *policy
}

// rolePolicies are one role's inline policies, sorted by name (the order
// in which ListRolePolicies lists them and IAM evaluates them here).
// A role without an entry has none, except OrganizationAccountAccessRole,
// which then has AdministratorAccess.
type rolePolicies struct {
	list []inlinePolicy
}

// maxRoleInlinePolicyChars is IAM's quota on the aggregate size of a
// role's inline policies, whitespace excluded (IAM User Guide, "IAM and
// AWS STS quotas").
const maxRoleInlinePolicyChars = 10240

// policyChars is a document's size as IAM counts it against the quota:
// whitespace excluded.
func policyChars(doc string) int {
	n := 0
	for _, c := range doc {
		if !unicode.IsSpace(c) {
			n++
		}
	}
	return n
}

func validPolicyName(name string) bool {
	return name != "" && len(name) <= 128 && strings.IndexFunc(name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c))
	}) < 0
}

// putRolePolicy attaches a policy to an existing role. Called with mu held.
func (e *Emulator) putRolePolicy(account, roleName, name, document string) *apiError {
	if !validPolicyName(name) {
		return iamValidation("1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	if len(document) > 131072 {
		return iamValidation("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	r, ae := e.modifiableRole(account, roleName)
	if ae != nil {
		return ae
	}
	parsed, ae := parsePolicy(name, document)
	if ae != nil {
		return ae
	}
	rp := e.m.policies[r]
	if rp == nil {
		rp = &rolePolicies{}
	}
	list := slices.DeleteFunc(slices.Clone(rp.list), func(p inlinePolicy) bool { return p.name == name })
	list = append(list, inlinePolicy{name: name, document: document, parsed: parsed})
	slices.SortFunc(list, func(a, b inlinePolicy) int { return strings.Compare(a.name, b.name) })
	size := 0
	for _, p := range list {
		size += policyChars(p.document)
	}
	if size > maxRoleInlinePolicyChars {
		return errf(http.StatusConflict, "LimitExceeded", "Maximum policy size of %d bytes exceeded for role %s", maxRoleInlinePolicyChars, roleName)
	}
	if e.m.policies == nil {
		e.m.policies = map[*role]*rolePolicies{}
	}
	rp.list = list
	e.m.policies[r] = rp
	return nil
}

// modifiableRole returns the role whose inline policies a caller may
// change: one that exists and is not service-linked.
func (e *Emulator) modifiableRole(account, name string) (*role, *apiError) {
	if _, ok := e.roleLatest(account, name); !ok {
		return nil, noSuchRole(name)
	}
	// The history, created if need be, pins the role: a default
	// OrganizationAccountAccessRole is otherwise made anew at each look.
	r, _ := e.roleHistory(account, name, true).latest()
	if r.serviceLinked() {
		return nil, errf(http.StatusBadRequest, "UnmodifiableEntity",
			"Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
	}
	return r, nil
}

// identityPolicies returns the policies of a role, as evaluated.
func (e *Emulator) identityPolicies(account, roleName string) []*policy {
	r, ok := e.roleLatest(account, roleName)
	if !ok {
		return nil
	}
	rp := e.m.policies[r]
	if rp == nil {
		if roleName == OrganizationAccessRoleName {
			return []*policy{adminPolicy}
		}
		return nil
	}
	out := make([]*policy, len(rp.list))
	for i := range rp.list {
		out[i] = rp.list[i].parsed
	}
	return out
}

// policySeed is an inline policy the emulator starts with.
type policySeed struct {
	account, role string
	policy        InlinePolicy
}

// policySeeds lists the inline policies of an organization's accounts.
func policySeeds(org Organization) []policySeed {
	var out []policySeed
	for _, a := range append([]Account{org.ManagementAccount}, org.Members...) {
		for _, role := range sortedKeys(a.Policies) {
			for _, p := range a.Policies[role] {
				out = append(out, policySeed{a.ID, role, p})
			}
		}
	}
	return out
}

// loadPolicies attaches the starting policies; checkPolicies has
// validated them. Called with mu held, after the roles are in place.
func (e *Emulator) loadPolicies() {
	for _, s := range e.start.policies {
		if ae := e.putRolePolicy(s.account, s.role, s.policy.Name, string(s.policy.Document)); ae != nil {
			panic("awstest: starting policy refused: " + ae.Error())
		}
	}
}

// checkPolicies validates the starting policies as iam:PutRolePolicy would
// take them, once the roles are in place: each on a role the account has
// at start (one of Roles, or the OrganizationAccountAccessRole of a member
// Organizations created) that is not service-linked and that no
// withoutRoles removes.
func checkPolicies(o *ServerOptions, org *Organization) error {
	removed := map[RoleRef]bool{}
	for _, r := range o.WithoutRoles {
		removed[r] = true
	}
	check := func(f string, a *Account, mgmt bool) error {
		for _, role := range sortedKeys(a.Policies) {
			rf := f + ".policies[" + strconv.Quote(role) + "]"
			hasDefault := role == OrganizationAccessRoleName && !mgmt && a.JoinedMethod != JoinedInvited
			switch {
			case !slices.Contains(a.Roles, role) && !hasDefault:
				return specErr(rf, "the account has no role %q (list it in roles)", role)
			case slices.Contains(a.WithoutRoles, role) || removed[RoleRef{a.ID, role}]:
				return specErr(rf, "role %q is removed at start", role)
			case role == IPAMRoleName:
				return specErr(rf, "%s is service-linked: only AWS changes its policies", role)
			}
			names := map[string]bool{}
			size := 0
			for i, p := range a.Policies[role] {
				pf := rf + "[" + strconv.Itoa(i) + "]"
				switch {
				case !validPolicyName(p.Name):
					return specErr(pf+".name", "%q is not a policy name ([\\w+=,.@-]{1,128})", p.Name)
				case names[p.Name]:
					return specErr(pf+".name", "duplicate policy name %q", p.Name)
				}
				names[p.Name] = true
				if _, ae := parsePolicy(p.Name, string(p.Document)); ae != nil {
					return specErr(pf+".document", "%s", ae.message)
				}
				size += policyChars(string(p.Document))
			}
			if size > maxRoleInlinePolicyChars {
				return specErr(rf, "the inline policies exceed IAM's %d characters per role", maxRoleInlinePolicyChars)
			}
		}
		return nil
	}
	if err := check("managementAccount", &org.ManagementAccount, true); err != nil {
		return err
	}
	for i := range org.Members {
		if err := check(fmt.Sprintf("members[%d]", i), &org.Members[i], false); err != nil {
			return err
		}
	}
	return nil
}

// policyNameParam validates a PolicyName parameter against IAM's model.
func policyNameParam(form url.Values) (string, *apiError) {
	name := form.Get("PolicyName")
	switch {
	case name == "":
		return "", iamValidation("1 validation error detected: Value null at 'policyName' failed to satisfy constraint: Member must not be null")
	case !validPolicyName(name):
		return "", iamValidation("1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	return name, nil
}

func (e *Emulator) putRolePolicyOp(c *call) (any, *apiError) {
	role, ae := roleNameParam(c.form)
	if ae != nil {
		return nil, ae
	}
	name, ae := policyNameParam(c.form)
	if ae != nil {
		return nil, ae
	}
	if c.form.Get("PolicyDocument") == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	return nil, e.putRolePolicy(c.id.account, role, name, c.form.Get("PolicyDocument"))
}

type rolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

// findRolePolicy returns the caller's role's policy the form names.
func (e *Emulator) findRolePolicy(c *call) (string, *inlinePolicy, *apiError) {
	role, ae := roleNameParam(c.form)
	if ae != nil {
		return "", nil, ae
	}
	name, ae := policyNameParam(c.form)
	if ae != nil {
		return "", nil, ae
	}
	r, ok := e.roleLatest(c.id.account, role)
	if !ok {
		return "", nil, noSuchRole(role)
	}
	if rp := e.m.policies[r]; rp != nil {
		for i := range rp.list {
			if rp.list[i].name == name {
				return role, &rp.list[i], nil
			}
		}
	}
	return "", nil, errf(http.StatusNotFound, "NoSuchEntity", "The role policy with name %s cannot be found.", name)
}

func (e *Emulator) getRolePolicyOp(c *call) (any, *apiError) {
	role, p, ae := e.findRolePolicy(c)
	if ae != nil {
		return nil, ae
	}
	// IAM returns policy documents URL-encoded (RFC 3986).
	return rolePolicyResult{RoleName: role, PolicyName: p.name, PolicyDocument: strings.ReplaceAll(url.QueryEscape(p.document), "+", "%20")}, nil
}

func (e *Emulator) deleteRolePolicyOp(c *call) (any, *apiError) {
	role, p, ae := e.findRolePolicy(c)
	if ae != nil {
		return nil, ae
	}
	r, ae := e.modifiableRole(c.id.account, role)
	if ae != nil {
		return nil, ae
	}
	rp := e.m.policies[r]
	// The entry stays, empty: OrganizationAccountAccessRole does not get
	// AdministratorAccess back.
	rp.list = slices.DeleteFunc(slices.Clone(rp.list), func(q inlinePolicy) bool { return q.name == p.name })
	return nil, nil
}

type listRolePoliciesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (e *Emulator) listRolePoliciesOp(c *call) (any, *apiError) {
	role, ae := roleNameParam(c.form)
	if ae != nil {
		return nil, ae
	}
	limit := 100
	if v := c.form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, iamValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", truncate(v, 16))
		}
		limit = n
	}
	r, ok := e.roleLatest(c.id.account, role)
	if !ok {
		return nil, noSuchRole(role)
	}
	// Assumption (docs/emulator.md#iam-role-policies): the marker is the
	// name of the next policy to list.
	marker := c.form.Get("Marker")
	out := listRolePoliciesResult{PolicyNames: []string{}}
	if rp := e.m.policies[r]; rp != nil {
		for _, p := range rp.list {
			if p.name < marker {
				continue
			}
			if len(out.PolicyNames) == limit {
				out.IsTruncated, out.Marker = true, p.name
				break
			}
			out.PolicyNames = append(out.PolicyNames, p.name)
		}
	}
	return out, nil
}
