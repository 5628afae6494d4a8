package awstest

import (
	"time"
)

// Account statuses accepted in Account.Status.
const (
	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"
)

// How an account joined the organization, for Account.JoinedMethod.
const (
	JoinedCreated = "CREATED"
	JoinedInvited = "INVITED"
)

// Organization feature sets accepted in Organization.FeatureSet.
const (
	FeatureSetAll                 = "ALL"
	FeatureSetConsolidatedBilling = "CONSOLIDATED_BILLING"
)

// Well-known names the emulator models.
const (
	// IPAMServicePrincipal is the service principal of Amazon VPC IPAM.
	IPAMServicePrincipal = "ipam.amazonaws.com"
	// IPAMRoleName is the name of IPAM's service-linked role.
	IPAMRoleName = "AWSServiceRoleForIPAM"
	// IPAMRolePath is the path of IPAM's service-linked role.
	IPAMRolePath = "/aws-service-role/ipam.amazonaws.com/"
	// OrganizationAccessRoleName is the role Organizations creates in the
	// member accounts it creates, assumable from the management account.
	// Invited members and the management account do not have it.
	OrganizationAccessRoleName = "OrganizationAccountAccessRole"
	// Region is the Region of the configs the emulator hands out (Config).
	// EC2 answers in every Region that DescribeRegions lists as enabled
	// (Regions), taken from the request's SigV4 credential scope;
	// Organizations, IAM and STS are global.
	Region = "us-east-1"
)

// IPAM tiers accepted in IPAMSpec.Tier.
const (
	TierFree     = "free"
	TierAdvanced = "advanced"
)

// Account describes one account of an emulated organization. The JSON
// names are those of the scenario file (see Scenario).
type Account struct {
	// ID is the 12-digit account id. Required.
	ID string `json:"id"`
	// Name defaults to "account-<ID>".
	Name string `json:"name,omitempty"`
	// Email defaults to "<ID>@example.com".
	Email string `json:"email,omitempty"`
	// Status is StatusActive (the default when empty) or StatusSuspended.
	// The management account is always ACTIVE.
	Status string `json:"status,omitempty"`
	// OU is the path of the organizational unit the account is in: OU
	// names from the root down, separated by "/", e.g. "Workloads/Prod".
	// "" (the default) places it directly under the root. Every OU on the
	// path exists.
	OU string `json:"ou,omitempty"`
	// JoinedMethod is JoinedCreated (the default when empty) or
	// JoinedInvited. Organizations creates OrganizationAccountAccessRole
	// only in the members it creates: an invited member has no such role
	// unless Roles lists it. Ignored for the management account (it
	// created the organization).
	JoinedMethod string `json:"joinedMethod,omitempty"`
	// Roles names roles the account has at start besides the default ones:
	// IPAMRoleName for IPAM's service-linked role, any other name for a
	// plain role trusted by the account itself and the management account
	// (as OrganizationAccountAccessRole is).
	Roles []string `json:"roles,omitempty"`
	// WithoutRoles names roles the account lacks at start, applied last
	// (after Organization.IPAMDelegatedAdmin has created IPAM's roles), e.g.
	// OrganizationAccountAccessRole or AWSServiceRoleForIPAM.
	WithoutRoles []string `json:"withoutRoles,omitempty"`
	// Policies maps a role of the account (one of Roles, or its
	// OrganizationAccountAccessRole) to the inline identity policies it
	// has at start, as iam:PutRolePolicy attaches them. They are evaluated
	// only with IAM enforcement on (see WithIAMEnforcement and
	// docs/emulator.md#iam-enforcement).
	Policies map[string][]InlinePolicy `json:"policies,omitempty"`
}

// Organization describes the organization an emulator starts with. The JSON
// names are those of the scenario file (see Scenario).
type Organization struct {
	// ManagementAccount is the organization's management account. Its
	// Status and JoinedMethod are ignored.
	ManagementAccount Account `json:"managementAccount"`
	// Members are the member accounts, listed in this order after the
	// management account by ListAccounts (and, within one parent, by
	// ListAccountsForParent).
	Members []Account `json:"members,omitempty"`
	// FeatureSet is FeatureSetAll (the default when empty) or
	// FeatureSetConsolidatedBilling.
	FeatureSet string `json:"featureSet,omitempty"`
	// OUs lists organizational units by path (as Account.OU), for OUs that
	// hold no account or to fix the order in which
	// ListOrganizationalUnitsForParent lists them: OUs named here come
	// first, in this order, then those only accounts name. A nested path
	// creates its parents; one path is one OU. Names are 1 to 128
	// characters without "/"; OUs nest at most five levels deep.
	OUs []string `json:"ous,omitempty"`
	// IPAMDelegatedAdmin, when set, starts the organization already
	// integrated with IPAM, as if the management account had called
	// ec2:EnableIpamOrganizationAdminAccount for this member: trusted access
	// for ipam.amazonaws.com, the delegated admin, and AWSServiceRoleForIPAM
	// in the management account and every active member, all visible at once.
	IPAMDelegatedAdmin string `json:"ipamDelegatedAdmin,omitempty"`
	// TrustedServices lists service principals with trusted access at start,
	// as organizations:EnableAWSServiceAccess grants it: with no side effect
	// (no service-linked role). Principals must be known (see
	// ServicePrincipals).
	TrustedServices []string `json:"trustedServices,omitempty"`
	// DelegatedAdmins maps service principals to the members registered as
	// their delegated administrators at start, as
	// organizations:RegisterDelegatedAdministrator does it: with no side
	// effect. A principal listed here needs trusted access (TrustedServices,
	// or IPAMDelegatedAdmin for IPAM), and IPAM takes at most one admin.
	DelegatedAdmins map[string][]string `json:"delegatedAdmins,omitempty"`
}

// IPAMSpec describes an IPAM that exists from the start (ServerOptions.IPAMs,
// the scenario file's "ipams") or that PutIPAM creates: in state
// create-complete, with its default resource discovery, and already
// discovered (no discovery lag).
type IPAMSpec struct {
	// Owner is the account that owns the IPAM. Required.
	Owner string `json:"owner"`
	// Region is the IPAM's home Region; "" means Region (us-east-1).
	Region string `json:"region,omitempty"`
	// OperatingRegions default to the home Region, which they must include.
	OperatingRegions []string `json:"operatingRegions,omitempty"`
	// Tier is TierAdvanced (the default when empty, as CreateIpam's) or
	// TierFree.
	Tier string `json:"tier,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	// OwnAccountOnly makes the IPAM monitor only its owner's account even
	// when the owner is the IPAM delegated administrator, as an IPAM
	// created before its account became the admin does (an assumption, see
	// docs/emulator.md#scope). Without it, an IPAM of the admin discovers
	// the whole organization.
	OwnAccountOnly bool `json:"ownAccountOnly,omitempty"`
	// Exclusions are OU exclusions of the IPAM's default resource
	// discovery, in force from the start (docs/emulator.md#exclusions):
	// each an OU path of names as Account.OU writes it, "Sandbox" for the
	// accounts directly in that OU, "Sandbox/*" for it and every OU below.
	// The emulator turns them into the entity paths EC2 shows
	// ("o-…/r-…/ou-…/", "o-…/r-…/ou-…/*"). They need an IPAM of the IPAM
	// delegated administrator that discovers the organization, OUs that
	// exist, no two excluding the same OU, and at most the quota
	// (ServerOptions.OUExclusionQuota).
	Exclusions []string `json:"exclusions,omitempty"`
}

// RoleRef names one IAM role in one account.
type RoleRef struct {
	AccountID string
	RoleName  string
}

// ServerOptions configures an Emulator (New) or a Server (NewServer). The
// zero value is usable: the default organization, no lag, time.Now, no
// faults.
type ServerOptions struct {
	// Organization to start from; nil means DefaultOrganization().
	Organization *Organization
	// NoOrganization starts with no organization at all: every account is
	// standalone and every Organizations call fails with
	// AWSOrganizationsNotInUseException. It wins over Organization.
	NoOrganization bool
	// IPAMs exist from the start (see IPAMSpec).
	IPAMs []IPAMSpec
	// Lag is how long a write takes to show in reads (Organizations lists,
	// IAM reads in the management account, deletion-task status). Writes and
	// the guards that decide them always see the latest state.
	Lag time.Duration
	// MemberRoleLag is the same for IAM roles in member accounts (the
	// service-linked roles EnableIpamOrganizationAdminAccount creates there).
	MemberRoleLag time.Duration
	// DiscoveryLag is how long IPAM takes to discover an account, from the
	// moment the IPAM is create-complete or the account's
	// AWSServiceRoleForIPAM changes, as GetIpamDiscoveredAccounts shows it.
	// 0 (the default) discovers at once.
	DiscoveryLag time.Duration
	// IPAMDelay is how long an IPAM, a resource discovery or an
	// association stays in its in-progress state after the write that
	// started it (create-, modify-, delete-, associate- or
	// disassociate-in-progress), and so before a deleted one is gone. 0
	// (the default) completes at once (the writes still answer with the
	// in-progress state, as EC2 does).
	IPAMDelay time.Duration
	// ServicePrincipals adds service principals to those Organizations
	// knows (see ServicePrincipals); others are refused with
	// InvalidInputException UNRECOGNIZED_SERVICE_PRINCIPAL.
	ServicePrincipals []string
	// Clock returns the current time; nil means time.Now. Inside a
	// testing/synctest bubble time.Now is already fake, so the default
	// works there too.
	Clock func() time.Time
	// FaultSeed seeds the generator behind probabilistic faults; equal
	// seeds and equal request sequences give equal outcomes.
	FaultSeed uint64
	// MaxBodyBytes limits request bodies; 0 means 1 MiB. Larger requests
	// get the protocol's error with HTTP 413.
	MaxBodyBytes int64
	// OUExclusionQuota is the most OU exclusions a resource discovery may
	// have; 0 means DefaultOUExclusionQuota, IPAM's default (10).
	OUExclusionQuota int
	// ResourceDiscoveryQuota is the most resource discoveries an account
	// may create with CreateIpamResourceDiscovery in one Region (an IPAM's
	// default one does not count); 0 means DefaultResourceDiscoveryQuota,
	// IPAM's default (1).
	ResourceDiscoveryQuota int
	// AllowedHosts are names a request's Host header may carry besides the
	// address it reached and the loopback names (localhost, 127.0.0.1,
	// [::1]) with that address's port: "NAME" with any port, or
	// "NAME:PORT". Any other Host is refused, so that a web page cannot
	// reach the emulator through DNS rebinding (docs/emulator.md#refused).
	// Use it for a name the emulator is reached by, such as a Docker
	// service name or a mapped port. Requests through HTTPClient are not
	// judged. New panics on an entry that is not a host name.
	AllowedHosts []string
	// AllowBrowserOrigin stops refusing requests made by web browsers
	// (those with an Origin or Sec-Fetch-Site header). Without it any web
	// page the user opens could drive the emulator, which has no
	// authentication. No CORS headers are sent either way.
	AllowBrowserOrigin bool
	// WithoutRoles lists roles removed before the first request, e.g.
	// OrganizationAccountAccessRole in a member that cannot be assumed into.
	WithoutRoles []RoleRef
	// Logf, when set, receives one line per request (account, operation,
	// result). Credentials and the Authorization header are never logged;
	// a value from the request that holds anything but letters, digits
	// and . _ : - * is quoted with Go's escapes, in ASCII, so that the line
	// stays one line of printable text.
	Logf func(format string, args ...any)
	// EnforceIAM evaluates the caller's IAM identity policies (and an
	// assumed role's session policy) on every request, and answers a
	// denial as the service does; off (the default), every authenticated
	// call is allowed. See WithIAMEnforcement.
	EnforceIAM bool
}

// WithOrganization starts from org instead of the default organization.
func WithOrganization(org Organization) func(*ServerOptions) {
	return func(o *ServerOptions) { o.Organization = &org; o.NoOrganization = false }
}

// WithoutOrganization starts with no organization (see
// ServerOptions.NoOrganization).
func WithoutOrganization() func(*ServerOptions) {
	return func(o *ServerOptions) { o.NoOrganization = true }
}

// WithMembers starts from GenerateOrganization(n).
func WithMembers(n int) func(*ServerOptions) {
	return WithOrganization(GenerateOrganization(n))
}

// WithLag sets ServerOptions.Lag and ServerOptions.MemberRoleLag.
func WithLag(lag, memberRoleLag time.Duration) func(*ServerOptions) {
	return func(o *ServerOptions) { o.Lag = lag; o.MemberRoleLag = memberRoleLag }
}

// WithDiscoveryLag sets ServerOptions.DiscoveryLag.
func WithDiscoveryLag(d time.Duration) func(*ServerOptions) {
	return func(o *ServerOptions) { o.DiscoveryLag = d }
}

// WithIPAMDelay sets ServerOptions.IPAMDelay.
func WithIPAMDelay(d time.Duration) func(*ServerOptions) {
	return func(o *ServerOptions) { o.IPAMDelay = d }
}

// WithIPAMs adds IPAMs that exist from the start (ServerOptions.IPAMs).
func WithIPAMs(ipams ...IPAMSpec) func(*ServerOptions) {
	return func(o *ServerOptions) { o.IPAMs = append(o.IPAMs, ipams...) }
}

// WithOUExclusionQuota sets ServerOptions.OUExclusionQuota.
func WithOUExclusionQuota(n int) func(*ServerOptions) {
	return func(o *ServerOptions) { o.OUExclusionQuota = n }
}

// WithResourceDiscoveryQuota sets ServerOptions.ResourceDiscoveryQuota.
func WithResourceDiscoveryQuota(n int) func(*ServerOptions) {
	return func(o *ServerOptions) { o.ResourceDiscoveryQuota = n }
}

// WithClock sets ServerOptions.Clock.
func WithClock(clock func() time.Time) func(*ServerOptions) {
	return func(o *ServerOptions) { o.Clock = clock }
}

// WithoutRole removes roleName from accountID before the first request.
func WithoutRole(accountID, roleName string) func(*ServerOptions) {
	return func(o *ServerOptions) {
		o.WithoutRoles = append(o.WithoutRoles, RoleRef{AccountID: accountID, RoleName: roleName})
	}
}

// WithIAMEnforcement sets ServerOptions.EnforceIAM: requests are allowed
// only as IAM would allow them. A 12-digit access key acts as its
// account's root user, which identity policies do not restrict; an
// assumed role's session has its role's inline policies (PutRolePolicy, a
// scenario's "policies"), intersected with the session policy AssumeRole
// was given. A role without policies is denied everything, except
// OrganizationAccountAccessRole, which has AdministratorAccess (as
// Organizations creates it) until it is given a policy. What is and is
// not evaluated: docs/emulator.md#iam-enforcement.
func WithIAMEnforcement() func(*ServerOptions) {
	return func(o *ServerOptions) { o.EnforceIAM = true }
}

// WithScenario starts from a scenario (see Scenario): its organization, or
// none, and its IPAMs.
func WithScenario(s Scenario) func(*ServerOptions) {
	return func(o *ServerOptions) {
		if s.NoOrganization {
			o.NoOrganization = true
		} else {
			org := s.Organization
			o.Organization, o.NoOrganization = &org, false
		}
		o.IPAMs = append(o.IPAMs, s.IPAMs...)
		o.ServicePrincipals = append(o.ServicePrincipals, s.ServicePrincipals...)
	}
}

// Default organization accounts.
const (
	DefaultManagementAccountID = "111111111111"
	DefaultMemberAccountID1    = "222222222222"
	DefaultMemberAccountID2    = "333333333333"
)

// DefaultOrganization returns the organization an emulator holds when no
// option says otherwise: management account 111111111111, active members
// 222222222222 and 333333333333 (both created by Organizations, so both
// have OrganizationAccountAccessRole), every account under the root,
// feature set ALL, nothing integrated.
func DefaultOrganization() Organization {
	return Organization{
		ManagementAccount: Account{ID: DefaultManagementAccountID, Name: "management", Email: "management@example.com"},
		Members: []Account{
			{ID: DefaultMemberAccountID1, Name: "member-1", Email: "member-1@example.com", Status: StatusActive},
			{ID: DefaultMemberAccountID2, Name: "member-2", Email: "member-2@example.com", Status: StatusActive},
		},
		FeatureSet: FeatureSetAll,
	}
}
