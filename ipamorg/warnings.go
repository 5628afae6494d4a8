package ipamorg

import (
	"fmt"
	"strings"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/internal/orglist"
)

// WarningCode names the kind of a Warning. Codes are stable: match them in
// code and tests, and show the Message to people.
type WarningCode string

// Warning is an anomaly found while observing, reported alongside the state
// rather than as an error. The JSON names are stable.
type Warning struct {
	Code    WarningCode `json:"code"`
	Message string      `json:"message"`
}

// String returns the message, for people.
func (w Warning) String() string { return w.Message }

// Anomaly reports whether w shows something AWS should not (see
// ErrAnomaly): every call that would write refuses while Observe reports
// such a warning.
func (w Warning) Anomaly() bool {
	switch w.Code {
	case WarnManyAdmins, WarnManagementAccountAsAdmin, WarnAdminWithoutID, WarnEmptyIdentity:
		return true
	}
	return false
}

// The warning codes.
const (
	// WarnWrongEnablePath: trusted access is enabled but
	// AWSServiceRoleForIPAM is missing from the management account: trusted
	// access was enabled through Organizations rather than IPAM, and IPAM
	// cannot monitor the accounts.
	WarnWrongEnablePath WarningCode = "wrong-enable-path"
	// WarnAdminWithoutTrust: an administrator is registered while trusted
	// access is off (for a moment after a write, reads may show this).
	WarnAdminWithoutTrust WarningCode = "admin-without-trusted-access"
	// WarnNotManagementAccount: the caller is not the management account;
	// some reads may be partial and every change is refused.
	WarnNotManagementAccount WarningCode = "not-management-account"
	// WarnPartialRead: a read was denied to the caller, or is not the
	// caller's to make; the message says which. When it decides the state,
	// Status.State is fsm.StateUnknown.
	WarnPartialRead WarningCode = "partial-read"
	// WarnManyAdmins: more than one delegated administrator is listed for
	// ipam.amazonaws.com, where AWS allows one. An anomaly.
	WarnManyAdmins WarningCode = "many-delegated-admins"
	// WarnManagementAccountAsAdmin: the management account is listed as
	// the delegated administrator, which AWS does not allow. An anomaly.
	WarnManagementAccountAsAdmin WarningCode = "management-account-as-admin"
	// WarnAdminWithoutID: a delegated administrator is listed without an
	// account id. An anomaly.
	WarnAdminWithoutID WarningCode = "admin-without-id"
	// WarnEmptyIdentity: sts:GetCallerIdentity returned no account, or
	// organizations:DescribeOrganization no management account. An
	// anomaly: without both the package cannot tell who may act.
	WarnEmptyIdentity WarningCode = "empty-identity"
	// WarnAccountWithoutID: organizations:ListAccounts listed an account
	// without an id; the fleet verification and Monitoring leave it out.
	WarnAccountWithoutID WarningCode = "account-without-id"
	// WarnOUWithoutID: Organizations listed an organizational unit (or a
	// root) without an id, so the accounts below it cannot be read from
	// the tree: the fleet verification and Monitoring list the
	// organization's accounts with organizations:ListAccounts as well,
	// and none is left out.
	WarnOUWithoutID WarningCode = "ou-without-id"
	// WarnTreeReadDenied: AWS denied a read of the organization's tree
	// (organizations:ListRoots, ListOrganizationalUnitsForParent or
	// ListAccountsForParent), so the fleet verification or Monitoring
	// listed the accounts with organizations:ListAccounts instead: the
	// same accounts, one page after another, slowly in a large
	// organization. The message names the reads denied.
	WarnTreeReadDenied WarningCode = "organization-tree-denied"
)

// warnTreeReadDenied is the warning of a listing that fell back to
// organizations:ListAccounts because AWS denied the tree reads denied.
func warnTreeReadDenied(denied []string) Warning {
	return Warning{WarnTreeReadDenied, fmt.Sprintf("aws denied %s, so the accounts were listed with organizations:ListAccounts, "+
		"20 a call one after the other, instead of from the organization's tree: grant %s (see ipamorg.RequiredPolicies) to read the tree",
		strings.Join(denied, " and "), strings.Join(orglist.TreeActions, ", "))}
}

// The warning codes of Monitoring: what stands between the organization
// and IPAM monitoring every account. Each message says how to fix it.
const (
	// WarnNoIPAM: the delegated administrator owns no IPAM, so IPAM
	// monitors nothing (Monitoring fails with ErrNoIPAM; WaitMonitored
	// waits for one).
	WarnNoIPAM WarningCode = "no-ipam"
	// WarnNoOrganizationWideIPAM: none of the administrator's IPAMs
	// discovers the organization: each monitors only its own account, as
	// an IPAM created before its account became the administrator does.
	// Monitoring.Accounts is then empty and Complete false.
	WarnNoOrganizationWideIPAM WarningCode = "no-organization-wide-ipam"
	// WarnIPAMOwnAccountOnly: one IPAM of the administrator monitors only
	// its own account, while another monitors the organization.
	WarnIPAMOwnAccountOnly WarningCode = "ipam-own-account-only"
	// WarnIPAMNotReady: an IPAM is being created or deleted, or AWS
	// reports it failed: it does not monitor (yet).
	WarnIPAMNotReady WarningCode = "ipam-not-ready"
	// WarnRegionNotDiscovered: an operating Region of an
	// organization-wide IPAM where no account is discovered yet:
	// discovery takes minutes after an IPAM is created.
	WarnRegionNotDiscovered WarningCode = "region-not-discovered"
	// WarnDiscoveryPending: accounts not discovered yet in Regions where
	// others are (an account that joined, or a role created, lately).
	WarnDiscoveryPending WarningCode = "discovery-pending"
	// WarnAssumeRoleFailure: IPAM cannot assume AWSServiceRoleForIPAM in
	// some accounts (AWS's assume-role-failure): the role is missing.
	// VerifyServiceLinkedRoles with Repair creates it.
	WarnAssumeRoleFailure WarningCode = "discovery-assume-role-failure"
	// WarnDiscoveryThrottled: IPAM's discovery was throttled in some
	// accounts (throttling-failure); it retries on its own.
	WarnDiscoveryThrottled WarningCode = "discovery-throttling-failure"
	// WarnDiscoveryUnauthorized: IPAM's role is not authorized in some
	// accounts (unauthorized-failure), typically by a service control
	// policy.
	WarnDiscoveryUnauthorized WarningCode = "discovery-unauthorized-failure"
	// WarnDiscoveryFailure: discovery fails in some accounts with a code
	// the package does not know; the message has AWS's.
	WarnDiscoveryFailure WarningCode = "discovery-failure"
)

// warnWrongEnablePath is the wrong-path warning; admin is the delegated
// administrator registered, if any, whose repair is one step.
func warnWrongEnablePath(admin string) Warning {
	fix := "delegate an administrator through IPAM (ec2:EnableIpamOrganizationAdminAccount) to fix it"
	if admin != "" {
		fix = fmt.Sprintf("reconcile to delegated administrator %s to fix it: one ec2:EnableIpamOrganizationAdminAccount for the same account creates the roles, without removing it (the %s step)",
			admin, fsm.EventRepairDelegation)
	}
	return Warning{WarnWrongEnablePath, "trusted access for ipam.amazonaws.com is enabled but AWSServiceRoleForIPAM is missing from the management account: " +
		"trusted access was probably enabled through AWS Organizations rather than IPAM, so IPAM cannot monitor the accounts; " + fix}
}

func warnAdminWithoutTrust(admin string) Warning {
	return Warning{WarnAdminWithoutTrust, fmt.Sprintf("delegated administrator %s is registered for ipam.amazonaws.com while trusted access is disabled", orNone(admin))}
}

func warnNotManagement(caller, management, consequence string) Warning {
	return Warning{WarnNotManagementAccount, fmt.Sprintf("caller %s is not the management account %s: %s", caller, management, consequence)}
}

func warnPartialRead(what, why string) Warning {
	return Warning{WarnPartialRead, fmt.Sprintf("could not read %s: %s", what, why)}
}

func warnManyAdmins(ids []string) Warning {
	return Warning{WarnManyAdmins, fmt.Sprintf("%d delegated administrators are registered for ipam.amazonaws.com (aws allows one): %s",
		len(ids), strings.Join(ids, ", "))}
}

func warnManagementAsAdmin(id string) Warning {
	return Warning{WarnManagementAccountAsAdmin, fmt.Sprintf("the management account %s is listed as the ipam delegated administrator, which aws does not allow", id)}
}

func warnAdminWithoutID(n int) Warning {
	return Warning{WarnAdminWithoutID, fmt.Sprintf("%d delegated administrator(s) of ipam.amazonaws.com listed without an account id", n)}
}

func warnEmptyIdentity(what string) Warning {
	return Warning{WarnEmptyIdentity, fmt.Sprintf("%s returned no account id", what)}
}

// adminWarnings returns the anomalies of the delegated administrators
// listed for ipam.amazonaws.com (ids as listed, "" for an entry without
// an id) in an organization whose management account is management.
func adminWarnings(ids []string, management string) []Warning {
	var ws []Warning
	known := knownIDs(ids)
	if missing := len(ids) - len(known); missing > 0 {
		ws = append(ws, warnAdminWithoutID(missing))
	}
	if len(known) > 1 {
		ws = append(ws, warnManyAdmins(known))
	}
	for _, id := range known {
		if management != "" && id == management {
			ws = append(ws, warnManagementAsAdmin(id))
		}
	}
	return ws
}

// identityWarnings returns the anomalies of the caller's and the
// management account's ids.
func identityWarnings(caller, management string) []Warning {
	var ws []Warning
	if caller == "" {
		ws = append(ws, warnEmptyIdentity("sts:GetCallerIdentity"))
	}
	if management == "" {
		ws = append(ws, warnEmptyIdentity("organizations:DescribeOrganization (management account)"))
	}
	return ws
}

// anomalies returns the warnings of ws that are anomalies.
func anomalies(ws []Warning) []Warning {
	var out []Warning
	for _, w := range ws {
		if w.Anomaly() {
			out = append(out, w)
		}
	}
	return out
}

// warnOUWithoutID is the warning for n OUs (or roots) listed without an
// id.
func warnOUWithoutID(n int) Warning {
	return Warning{WarnOUWithoutID, fmt.Sprintf("organizations listed %d organizational unit(s) without an id; "+
		"the accounts were listed with organizations:ListAccounts as well, so that none below them is left out", n)}
}
