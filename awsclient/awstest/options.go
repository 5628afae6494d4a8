package awstest

import (
	"fmt"
	"time"
)

// Account statuses accepted in Account.Status.
const (
	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"
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
	// OrganizationAccessRoleName is the role every account of the
	// organization has by default, assumable from the management account.
	OrganizationAccessRoleName = "OrganizationAccountAccessRole"
	// Region is the only region the emulator answers for.
	Region = "us-east-1"
)

// Account describes one account of an emulated organization.
type Account struct {
	// ID is the 12-digit account id. Required.
	ID string
	// Name defaults to "account-<ID>".
	Name string
	// Email defaults to "<ID>@example.com".
	Email string
	// Status is StatusActive (the default when empty) or StatusSuspended.
	Status string
}

// Organization describes the organization an emulator starts with.
type Organization struct {
	// ManagementAccount is the organization's management account. Its
	// Status is ignored (always ACTIVE).
	ManagementAccount Account
	// Members are the member accounts, listed in this order after the
	// management account by ListAccounts.
	Members []Account
	// FeatureSet is FeatureSetAll (the default when empty) or
	// FeatureSetConsolidatedBilling.
	FeatureSet string
	// IPAMDelegatedAdmin, when set, starts the organization already
	// integrated with IPAM, as if the management account had called
	// ec2:EnableIpamOrganizationAdminAccount for this member: trusted access
	// for ipam.amazonaws.com, the delegated admin, and AWSServiceRoleForIPAM
	// in the management account and every active member, all visible at once.
	IPAMDelegatedAdmin string
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
	// Lag is how long a write takes to show in reads (Organizations lists,
	// IAM reads in the management account, deletion-task status). Writes and
	// the guards that decide them always see the latest state.
	Lag time.Duration
	// MemberRoleLag is the same for IAM roles in member accounts (the
	// service-linked roles EnableIpamOrganizationAdminAccount creates there).
	MemberRoleLag time.Duration
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
	// WithoutRoles lists roles removed before the first request, e.g.
	// OrganizationAccountAccessRole in a member that cannot be assumed into.
	WithoutRoles []RoleRef
	// Logf, when set, receives one line per request (account, operation,
	// result). Credentials and the Authorization header are never logged.
	Logf func(format string, args ...any)
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

// Default organization accounts.
const (
	DefaultManagementAccountID = "111111111111"
	DefaultMemberAccountID1    = "222222222222"
	DefaultMemberAccountID2    = "333333333333"
)

// DefaultOrganization returns the organization an emulator holds when no
// option says otherwise: management account 111111111111, active members
// 222222222222 and 333333333333, feature set ALL, nothing integrated.
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

// GenerateOrganization returns an organization with the default management
// account (111111111111) and n active members with ids 200000000001,
// 200000000002, ..., named member-1, member-2, .... It is cheap for n in the
// tens of thousands: the emulator stores nothing per account beyond the
// account itself until a write touches it.
func GenerateOrganization(n int) Organization {
	org := DefaultOrganization()
	org.Members = make([]Account, n)
	for i := range n {
		org.Members[i] = Account{
			ID:     fmt.Sprintf("%012d", 200000000000+i+1),
			Name:   fmt.Sprintf("member-%d", i+1),
			Email:  fmt.Sprintf("member-%d@example.com", i+1),
			Status: StatusActive,
		}
	}
	return org
}
