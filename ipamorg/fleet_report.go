package ipamorg

import (
	"slices"
	"strings"
)

// RoleResult is what the fleet verification found in one account.
type RoleResult string

// The results of VerifyServiceLinkedRoles, one per account.
const (
	// RolePresent: AWSServiceRoleForIPAM exists in the account.
	RolePresent RoleResult = "present"
	// RoleMissing: the account has no AWSServiceRoleForIPAM (iam:GetRole
	// answered NoSuchEntity), and it was not repaired: repair was not
	// asked for, or AWS refused it (AccountCheck.RepairError says why).
	RoleMissing RoleResult = "missing"
	// RoleRepaired: the role was missing and iam:CreateServiceLinkedRole
	// created it.
	RoleRepaired RoleResult = "repaired"
	// RolePurged: VerifyOptions.Purge deleted the account's
	// AWSServiceRoleForIPAM (iam:DeleteServiceLinkedRole, its deletion
	// task succeeded).
	RolePurged RoleResult = "purged"
	// RoleAccessDenied: AWS denied a call needed to check the account,
	// typically sts:AssumeRole because the access role is missing from the
	// account or does not trust the caller.
	RoleAccessDenied RoleResult = "access-denied"
	// RoleSkipped: the account was not checked because it is not ACTIVE
	// (SUSPENDED, PENDING_CLOSURE, ...).
	RoleSkipped RoleResult = "skipped"
	// RoleError: checking the account failed for another reason, or a
	// repair or purge was sent and neither its answer nor the read after
	// it tells whether AWS applied it (Reason says "sent, not confirmed";
	// verify again).
	RoleError RoleResult = "error"
)

// RoleResults returns every RoleResult, in the order reports list them.
func RoleResults() []RoleResult {
	return []RoleResult{RolePresent, RoleMissing, RoleRepaired, RolePurged, RoleAccessDenied, RoleSkipped, RoleError}
}

// FleetReport is the result of VerifyServiceLinkedRoles: one AccountCheck
// per account of the organization. The JSON names are stable, for scripts.
type FleetReport struct {
	// OrganizationID and ManagementAccountID come from
	// organizations:DescribeOrganization; CallerAccountID from
	// sts:GetCallerIdentity. The caller's own account is checked with the
	// Client's IAM client, every other account through AccessRole.
	OrganizationID      string `json:"organization_id"`
	ManagementAccountID string `json:"management_account_id"`
	CallerAccountID     string `json:"caller_account_id"`
	// DelegatedAdmin is IPAM's delegated administrator, or "" when IPAM
	// is not integrated with the organization, in which case missing roles
	// are expected: delegating an administrator creates them.
	DelegatedAdmin string `json:"delegated_admin"`
	// AccessRole is the role assumed in the other accounts
	// (Options.AccessRole).
	AccessRole string `json:"access_role"`
	// Repair reports whether missing roles were to be created.
	Repair bool `json:"repair"`
	// Purge reports whether the members' roles were to be deleted.
	Purge bool `json:"purge"`
	// Total is the number of accounts listed in the organization: all of
	// them when ListingComplete; when a failure or the end of the context
	// cut the listing short, those listed before.
	Total int `json:"total"`
	// ListingComplete reports that the listing of the accounts ended, so
	// that Total is the organization's, even when the checks were cut
	// short (Complete false).
	ListingComplete bool `json:"listing_complete"`
	// Complete is false when the verification was cancelled: Accounts
	// then holds only the accounts checked before it stopped.
	Complete bool `json:"complete"`
	// Counts holds the number of accounts per result, with every result
	// present (zero included).
	Counts map[RoleResult]int `json:"counts"`
	// Accounts holds the per-account results, sorted by account id.
	Accounts []AccountCheck `json:"accounts"`
	// Warnings lists anomalies of the run as a whole. Never nil.
	Warnings []Warning `json:"warnings"`
}

// AccountCheck is the fleet verification's result for one account.
type AccountCheck struct {
	AccountID string `json:"account_id"`
	Name      string `json:"name,omitempty"`
	// State is the account's state in the organization (ACTIVE,
	// SUSPENDED, ...).
	State string `json:"state"`
	// Management marks the organization's management account.
	Management bool       `json:"management,omitempty"`
	Result     RoleResult `json:"result"`
	// Reason explains a result other than present, missing, repaired and
	// purged: the AWS action that failed, its error code and message (for
	// a purge whose deletion task failed, IAM's reason), or why the
	// account was skipped.
	Reason string `json:"reason,omitempty"`
	// RepairError says why a repair of a missing role failed.
	RepairError string `json:"repair_error,omitempty"`
	// Err is the *Error behind Reason or RepairError, for errors.Is and
	// errors.As; nil otherwise. It is not encoded in JSON.
	Err error `json:"-"`
}

// IDs returns the ids of the accounts with result r, sorted.
func (r *FleetReport) IDs(result RoleResult) []string {
	if r == nil {
		return nil
	}
	var ids []string
	for _, a := range r.Accounts {
		if a.Result == result {
			ids = append(ids, a.AccountID)
		}
	}
	return ids
}

// Missing returns the accounts still without AWSServiceRoleForIPAM (result
// missing: not repaired), sorted.
func (r *FleetReport) Missing() []string { return r.IDs(RoleMissing) }

// Repaired returns the accounts whose missing role was created, sorted.
func (r *FleetReport) Repaired() []string { return r.IDs(RoleRepaired) }

// Purged returns the accounts whose role VerifyOptions.Purge deleted,
// sorted.
func (r *FleetReport) Purged() []string { return r.IDs(RolePurged) }

// Unverified returns the accounts that could not be checked (results
// access-denied and error), sorted.
func (r *FleetReport) Unverified() []string {
	ids := append(r.IDs(RoleAccessDenied), r.IDs(RoleError)...)
	slices.Sort(ids)
	return ids
}

// OK reports whether the verification completed and found the role in
// every active account (present or repaired).
func (r *FleetReport) OK() bool {
	return r != nil && r.Complete && len(r.Missing()) == 0 && len(r.Unverified()) == 0
}

// finish sorts the accounts and fills in Counts.
func (r *FleetReport) finish() {
	slices.SortFunc(r.Accounts, func(a, b AccountCheck) int { return strings.Compare(a.AccountID, b.AccountID) })
	r.Counts = make(map[RoleResult]int, len(RoleResults()))
	for _, res := range RoleResults() {
		r.Counts[res] = 0
	}
	for _, a := range r.Accounts {
		r.Counts[a.Result]++
	}
}
