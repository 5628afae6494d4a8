package awstest

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Organizations page size: every list the emulator serves has MaxResults
// 1..20 in the service model.
const orgMaxResults = 20

type jsonOrganization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []struct{}
}

type jsonAccount struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	Paths           []string
	JoinedMethod    string
	JoinedTimestamp epoch
}

type jsonDelegatedAdmin struct {
	jsonAccount
	DelegationEnabledDate epoch
}

type jsonEnabledPrincipal struct {
	ServicePrincipal string
	DateEnabled      epoch
}

func (e *Emulator) jsonAccount(a *account) jsonAccount {
	joined := JoinedCreated
	if a.invited {
		joined = JoinedInvited
	}
	return jsonAccount{
		Id:              a.id,
		Arn:             e.m.org.accountARN(a.id),
		Email:           a.email,
		Name:            a.name,
		Status:          a.status,
		State:           a.status,
		Paths:           []string{a.path()},
		JoinedMethod:    joined,
		JoinedTimestamp: epoch(e.m.created),
	}
}

func orgInvalidInput(reason, format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "InvalidInputException", format, args...).withReason(reason)
}

func orgConstraint(reason, format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "ConstraintViolationException", format, args...).withReason(reason)
}

// orgCaller enforces who may call an Organizations API: any account of the
// organization, or only its management account.
func (e *Emulator) orgCaller(c *call, managementOnly bool) *apiError {
	if !e.inOrg(c.id.account) {
		return errf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if managementOnly && !e.isManagement(c.id.account) {
		return errf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
	}
	return nil
}

// orgReader enforces who may call the Organizations reads that AWS opens to
// delegated administrators (DescribeAccount, ListAccounts,
// ListAWSServiceAccessForOrganization, ListDelegatedAdministrators: "You can
// only call this operation from the management account or a member account
// that is a delegated administrator", per the service model): the
// management account, or a member registered as the delegated
// administrator of any service, as IPAM's admin is.
func (e *Emulator) orgReader(c *call) *apiError {
	if ae := e.orgCaller(c, false); ae != nil {
		return ae
	}
	if !e.isManagement(c.id.account) && !e.isDelegatedAdmin(c.id.account) {
		return errf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
	}
	return nil
}

// isDelegatedAdmin reports whether account is, as of the latest state, a
// delegated administrator of any service.
func (e *Emulator) isDelegatedAdmin(account string) bool {
	for k, h := range e.m.admins {
		if _, ok := h.latest(); ok && k.account == account {
			return true
		}
	}
	return false
}

func (e *Emulator) requireAllFeatures() *apiError {
	if e.m.org.featureSet != FeatureSetAll {
		return orgConstraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
			"This operation requires that the organization has all features enabled.")
	}
	return nil
}

// requiredPrincipal returns the request's ServicePrincipal, which must be
// one Organizations knows: tools probe a service's availability by the
// UNRECOGNIZED_SERVICE_PRINCIPAL answer.
func (e *Emulator) requiredPrincipal(in orgInput) (string, *apiError) {
	if in.ServicePrincipal == nil || *in.ServicePrincipal == "" {
		return "", orgInvalidInput("INPUT_REQUIRED", "ServicePrincipal is required.")
	}
	p := *in.ServicePrincipal
	if len(p) > 128 {
		return "", orgInvalidInput("MAX_LENGTH_EXCEEDED", "ServicePrincipal is longer than 128 characters.")
	}
	if !e.principals[p] {
		return "", orgInvalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	return p, nil
}

func (e *Emulator) requiredAccount(in orgInput) (*account, *apiError) {
	if in.AccountId == nil || *in.AccountId == "" {
		return nil, orgInvalidInput("INPUT_REQUIRED", "AccountId is required.")
	}
	if !isAccountID(*in.AccountId) {
		return nil, orgInvalidInput("INVALID_PATTERN", "The AccountId must be exactly 12 digits.")
	}
	a := e.m.org.byID[*in.AccountId]
	if a == nil {
		return nil, errf(http.StatusBadRequest, "AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return a, nil
}

// paginate returns the slice bounds of the page in asks for out of total
// items, and the token of the next page. Tokens are bound to the operation
// so that one list's token is refused by another.
func paginate(op string, in orgInput, total int) (start, end int, next *string, ae *apiError) {
	size := orgMaxResults
	if in.MaxResults != nil {
		switch m := int(*in.MaxResults); {
		case m < 1:
			return 0, 0, nil, orgInvalidInput("MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.")
		case m > orgMaxResults:
			return 0, 0, nil, orgInvalidInput("MAX_VALUE_EXCEEDED", "MaxResults must be at most %d.", orgMaxResults)
		default:
			size = m
		}
	}
	if in.NextToken != nil && *in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		rest, ok := strings.CutPrefix(string(raw), op+":")
		n, aerr := strconv.Atoi(rest)
		if err != nil || !ok || aerr != nil || n < 0 || n > total {
			return 0, 0, nil, orgInvalidInput("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
		}
		start = n
	}
	end = min(start+size, total)
	if end < total {
		t := base64.RawURLEncoding.EncodeToString([]byte(op + ":" + strconv.Itoa(end)))
		next = &t
	}
	return start, end, next, nil
}

func (e *Emulator) describeOrganization(c *call) (any, *apiError) {
	if ae := e.orgCaller(c, false); ae != nil {
		return nil, ae
	}
	o := e.m.org
	return map[string]any{"Organization": jsonOrganization{
		Id:                   o.id,
		Arn:                  o.arn(),
		FeatureSet:           o.featureSet,
		MasterAccountArn:     o.accountARN(o.mgmt.id),
		MasterAccountId:      o.mgmt.id,
		MasterAccountEmail:   o.mgmt.email,
		AvailablePolicyTypes: []struct{}{},
	}}, nil
}

func (e *Emulator) describeAccount(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	a, ae := e.requiredAccount(c.in)
	if ae != nil {
		return nil, ae
	}
	return map[string]any{"Account": e.jsonAccount(a)}, nil
}

func (e *Emulator) listAccounts(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	all := e.m.org.accounts
	start, end, next, ae := paginate(c.op.name, c.in, len(all))
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonAccount, 0, end-start)
	for _, a := range all[start:end] {
		out = append(out, e.jsonAccount(a))
	}
	return struct {
		Accounts  []jsonAccount
		NextToken *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) listAWSServiceAccess(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	view := e.orgView(c.now)
	var all []jsonEnabledPrincipal
	for p, h := range e.m.trusted {
		if d, ok := h.asOf(view); ok {
			all = append(all, jsonEnabledPrincipal{ServicePrincipal: p, DateEnabled: epoch(d)})
		}
	}
	slices.SortFunc(all, func(a, b jsonEnabledPrincipal) int { return strings.Compare(a.ServicePrincipal, b.ServicePrincipal) })
	start, end, next, ae := paginate(c.op.name, c.in, len(all))
	if ae != nil {
		return nil, ae
	}
	return struct {
		EnabledServicePrincipals []jsonEnabledPrincipal
		NextToken                *string `json:",omitempty"`
	}{append([]jsonEnabledPrincipal{}, all[start:end]...), next}, nil
}

// serviceAccessRequest checks what EnableAWSServiceAccess and
// DisableAWSServiceAccess share: a management-account caller, a
// ServicePrincipal and an organization with all features.
func (e *Emulator) serviceAccessRequest(c *call) (string, *apiError) {
	if ae := e.orgCaller(c, true); ae != nil {
		return "", ae
	}
	p, ae := e.requiredPrincipal(c.in)
	if ae != nil {
		return "", ae
	}
	if ae := e.requireAllFeatures(); ae != nil {
		return "", ae
	}
	return p, nil
}

func (e *Emulator) enableAWSServiceAccess(c *call) (any, *apiError) {
	p, ae := e.serviceAccessRequest(c)
	if ae != nil {
		return nil, ae
	}
	// The "wrong path" for IPAM (docs/emulator.md#wrong-path): trusted
	// access is granted but, unlike ec2:EnableIpamOrganizationAdminAccount,
	// no AWSServiceRoleForIPAM is created anywhere.
	if _, on := e.trustedLatest(p); !on {
		e.setTrusted(c.now, p, true)
	}
	return nil, nil
}

func (e *Emulator) disableAWSServiceAccess(c *call) (any, *apiError) {
	p, ae := e.serviceAccessRequest(c)
	if ae != nil {
		return nil, ae
	}
	if len(e.adminsLatest(p)) > 0 {
		// A response captured from AWS (2026, for iam.amazonaws.com with
		// a delegated administrator registered) refused this with
		// DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE. Assumption
		// (docs/emulator.md#disable-with-admin): every principal, IPAM's
		// included, answers the same.
		msg := "You must deregister the delegated administrators of %s before you disable trusted access for it."
		if p == IPAMServicePrincipal {
			msg = "Remove the IPAM delegated administrator (ec2:DisableIpamOrganizationAdminAccount) before you disable trusted access for %s."
		}
		return nil, orgConstraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", msg, p)
	}
	if _, on := e.trustedLatest(p); on {
		e.setTrusted(c.now, p, false)
	}
	return nil, nil
}

func (e *Emulator) listDelegatedAdministrators(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	var filter string
	if c.in.ServicePrincipal != nil {
		p, ae := e.requiredPrincipal(c.in)
		if ae != nil {
			return nil, ae
		}
		filter = p
	}
	view := e.orgView(c.now)
	since := map[string]time.Time{}
	for k, h := range e.m.admins {
		if filter != "" && k.principal != filter {
			continue
		}
		if d, ok := h.asOf(view); ok {
			if prev, seen := since[k.account]; !seen || d.Before(prev) {
				since[k.account] = d
			}
		}
	}
	ids := make([]string, 0, len(since))
	for id := range since {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	start, end, next, ae := paginate(c.op.name, c.in, len(ids))
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonDelegatedAdmin, 0, end-start)
	for _, id := range ids[start:end] {
		out = append(out, jsonDelegatedAdmin{e.jsonAccount(e.m.org.byID[id]), epoch(since[id])})
	}
	return struct {
		DelegatedAdministrators []jsonDelegatedAdmin
		NextToken               *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) registerDelegatedAdministrator(c *call) (any, *apiError) {
	a, p, ae := e.delegatedAdminRequest(c)
	if ae != nil {
		return nil, ae
	}
	if ae := e.requireAllFeatures(); ae != nil {
		return nil, ae
	}
	switch admins := e.adminsLatest(p); {
	case a == e.m.org.mgmt:
		return nil, orgConstraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
			"You can designate only a member account as a delegated administrator.")
	case a.status != StatusActive:
		return nil, orgConstraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
			"You cannot register a suspended account as a delegated administrator.")
	case slices.Contains(admins, a.id):
		return nil, errf(http.StatusBadRequest, "AccountAlreadyRegisteredException",
			"The provided account is already a delegated administrator for your organization.")
	case !e.trustedOn(p):
		return nil, orgConstraint("SERVICE_ACCESS_NOT_ENABLED",
			"You attempted to register a delegated administrator before you enabled service access.")
	case p == IPAMServicePrincipal && len(admins) > 0:
		// IPAM takes one delegated administrator per organization; the
		// model documents this reason for registering an account for a
		// service that already has one.
		return nil, orgConstraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
			"You attempted to register an account as a delegated administrator for a service that already has a delegated administrator.")
	}
	// Like EnableAWSServiceAccess, this is the wrong path for IPAM: no
	// service-linked role is created.
	e.setAdmin(c.now, p, a.id, true)
	return nil, nil
}

func (e *Emulator) deregisterDelegatedAdministrator(c *call) (any, *apiError) {
	a, p, ae := e.delegatedAdminRequest(c)
	if ae != nil {
		return nil, ae
	}
	if !slices.Contains(e.adminsLatest(p), a.id) {
		return nil, errf(http.StatusBadRequest, "AccountNotRegisteredException",
			"The provided account is not a registered delegated administrator for your organization.")
	}
	e.setAdmin(c.now, p, a.id, false)
	return nil, nil
}

// delegatedAdminRequest checks what RegisterDelegatedAdministrator and
// DeregisterDelegatedAdministrator share: a management-account caller, an
// AccountId of the organization and a ServicePrincipal.
func (e *Emulator) delegatedAdminRequest(c *call) (*account, string, *apiError) {
	if ae := e.orgCaller(c, true); ae != nil {
		return nil, "", ae
	}
	a, ae := e.requiredAccount(c.in)
	if ae != nil {
		return nil, "", ae
	}
	p, ae := e.requiredPrincipal(c.in)
	if ae != nil {
		return nil, "", ae
	}
	return a, p, nil
}
