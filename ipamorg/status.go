package ipamorg

import (
	"slices"

	"github.com/ipamorg/sdk/fsm"
)

// Status is what Observe read: where the organization stands in the IPAM
// lifecycle and the facts it was recognised from. The JSON names are stable,
// for scripts.
type Status struct {
	// State is the lifecycle state recognised from the fields below:
	// delegated if an administrator is registered for ipam.amazonaws.com,
	// else trusted if trusted access is on, else disabled if
	// AWSServiceRoleForIPAM is in the management account, else none. It is
	// fsm.StateUnknown when a read that decides it was denied to the
	// caller, or is not the caller's to make (a member account cannot read
	// the management account's roles); a WarnPartialRead warning then says
	// which.
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
	// organization's trusted services (false when it could not be read).
	TrustedAccess bool `json:"trusted_access"`
	// DelegatedAdmin is the account registered as IPAM's delegated
	// administrator, or "". When AWS lists several (an anomaly, see
	// Warnings), it is the lowest id, so that repeated reads agree.
	DelegatedAdmin string `json:"delegated_admin"`
	// ServiceLinkedRole reports whether AWSServiceRoleForIPAM exists in the
	// management account. It is false when the caller is not the
	// management account, which cannot read that account's roles.
	ServiceLinkedRole bool `json:"service_linked_role"`
	// Warnings lists anomalies found while observing; the state is still
	// reported. Never nil, so it encodes as a JSON array.
	Warnings []Warning `json:"warnings"`

	// admins are the delegated administrators as listed ("" for an entry
	// without an id), kept so that a re-read of another fact recomputes
	// the same warnings.
	admins []string
	// unread are the facts the caller could not read.
	unread facts
	// partition is the AWS partition of the organization ("aws",
	// "aws-cn", ...), for the ARNs of roles in its accounts.
	partition string
}

// facts is a set of the facts that decide the state.
type facts uint8

const (
	factTrusted facts = 1 << iota
	factAdmins
	factRole
)

// wrongPath reports whether Observe warned of the wrong enable path
// (WarnWrongEnablePath).
func (st *Status) wrongPath() bool {
	for _, w := range st.Warnings {
		if w.Code == WarnWrongEnablePath {
			return true
		}
	}
	return false
}

// Anomalies returns the warnings that are anomalies (see ErrAnomaly), or
// nil. Every call that would write refuses while there are any.
func (st *Status) Anomalies() []Warning { return anomalies(st.Warnings) }

// recognise returns the lifecycle state of st's facts; fsm.StateUnknown
// when a fact that decides it was not read.
func (st *Status) recognise() fsm.State {
	switch {
	case st.unread&factAdmins != 0:
		return fsm.StateUnknown
	case len(st.admins) > 0:
		return fsm.StateDelegated
	case st.unread&factTrusted != 0:
		return fsm.StateUnknown
	case st.TrustedAccess:
		return fsm.StateTrusted
	case st.unread&factRole != 0:
		return fsm.StateUnknown
	case st.ServiceLinkedRole:
		return fsm.StateDisabled
	default:
		return fsm.StateNone
	}
}

// isManagement reports whether the caller is the management account: both
// ids known and equal.
func (st *Status) isManagement() bool {
	return st.CallerAccountID != "" && st.CallerAccountID == st.ManagementAccountID
}

// settle completes st from its facts: DelegatedAdmin from admins (every
// delegated administrator listed for ipam.amazonaws.com, "" for an entry
// without an id), then Warnings, from scratch, and State.
func (st *Status) settle(admins []string) {
	st.admins = slices.Clone(admins)
	st.Warnings = identityWarnings(st.CallerAccountID, st.ManagementAccountID)
	if st.CallerAccountID != "" && st.ManagementAccountID != "" && !st.isManagement() {
		st.Warnings = append(st.Warnings, warnNotManagement(st.CallerAccountID, st.ManagementAccountID,
			"reads may be partial, and changes will be refused"))
	}
	for _, u := range []struct {
		fact      facts
		what, why string
	}{
		{factTrusted, "trusted services", "access denied"},
		{factAdmins, "delegated administrators", "access denied"},
		{factRole, "AWSServiceRoleForIPAM in the management account", "only the management account can"},
	} {
		if st.unread&u.fact != 0 {
			st.Warnings = append(st.Warnings, warnPartialRead(u.what, u.why))
		}
	}
	st.Warnings = append(st.Warnings, adminWarnings(admins, st.ManagementAccountID)...)
	st.DelegatedAdmin = ""
	if known := knownIDs(admins); len(known) > 0 {
		st.DelegatedAdmin = known[0]
	}
	if st.TrustedAccess && !st.ServiceLinkedRole && st.unread&factRole == 0 {
		st.Warnings = append(st.Warnings, warnWrongEnablePath(st.DelegatedAdmin))
	}
	if len(admins) > 0 && !st.TrustedAccess && st.unread&factTrusted == 0 {
		st.Warnings = append(st.Warnings, warnAdminWithoutTrust(st.DelegatedAdmin))
	}
	if st.Warnings == nil {
		st.Warnings = []Warning{}
	}
	st.State = st.recognise()
}

// knownIDs returns the non-empty ids of ids, sorted, each once.
func knownIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
