package ipamorg

import (
	"github.com/ipamorg/sdk/fsm"
)

// Status is what Observe read: where the organization stands in the IPAM
// lifecycle and the facts it was recognised from. The JSON names are stable,
// for scripts.
type Status struct {
	// State is the lifecycle state recognised from the fields below:
	// delegated if an administrator is registered for ipam.amazonaws.com,
	// else trusted if trusted access is on, else disabled if
	// AWSServiceRoleForIPAM is in the management account, else none.
	State fsm.State `json:"state"`
	// CallerAccountID is the account of the credentials in use
	// (sts:GetCallerIdentity).
	CallerAccountID string `json:"caller_account_id"`
	// ManagementAccountID, OrganizationID and FeatureSet come from
	// organizations:DescribeOrganization.
	ManagementAccountID string `json:"management_account_id"`
	OrganizationID      string `json:"organization_id"`
	FeatureSet          string `json:"feature_set"`
	// TrustedAccess reports whether ipam.amazonaws.com is among the
	// organization's trusted services.
	TrustedAccess bool `json:"trusted_access"`
	// DelegatedAdmin is the account registered as IPAM's delegated
	// administrator, or "".
	DelegatedAdmin string `json:"delegated_admin"`
	// ServiceLinkedRole reports whether AWSServiceRoleForIPAM exists in the
	// management account. It is false when the caller is not the
	// management account, which cannot read that account's roles.
	ServiceLinkedRole bool `json:"service_linked_role"`
	// Warnings lists anomalies found while observing; the state is still
	// reported. Never nil, so it encodes as a JSON array.
	Warnings []string `json:"warnings"`
}

// Warning texts. Scripts should not parse them; they are for people.
const (
	warnWrongEnablePath = "trusted access for ipam.amazonaws.com is enabled but AWSServiceRoleForIPAM is missing from the management account: " +
		"trusted access was probably enabled through AWS Organizations rather than IPAM, so IPAM cannot monitor the accounts; " +
		"delegate an administrator through IPAM (ec2:EnableIpamOrganizationAdminAccount) to fix it"
	warnAdminWithoutTrust = "delegated administrator %s is registered for ipam.amazonaws.com while trusted access is disabled"
	warnNotManagement     = "caller %s is not the management account %s: reads may be partial, and changes will be refused"
	warnPartialRead       = "could not read %s: access denied"
	warnManyAdmins        = "%d delegated administrators are registered for ipam.amazonaws.com (expected at most one): %v"
)

// recognise returns the lifecycle state of st, as DESIGN.md §3 defines it.
func recognise(st *Status) fsm.State {
	switch {
	case st.DelegatedAdmin != "":
		return fsm.StateDelegated
	case st.TrustedAccess:
		return fsm.StateTrusted
	case st.ServiceLinkedRole:
		return fsm.StateDisabled
	default:
		return fsm.StateNone
	}
}
