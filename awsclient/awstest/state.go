package awstest

import (
	"maps"
	"slices"
	"time"
)

// State is a point-in-time copy of the emulator's latest state, unaffected
// by lag, for tests to assert on.
type State struct {
	// OrganizationID is "" when there is no organization.
	OrganizationID      string
	ManagementAccountID string
	FeatureSet          string
	// TrustedServices maps each service principal with trusted access to
	// the date it was enabled.
	TrustedServices map[string]time.Time
	// DelegatedAdmins maps each service principal to its delegated
	// administrator account ids, sorted.
	DelegatedAdmins map[string][]string
	// Roles maps each account id of the organization (and any other account
	// with a role) to its role names, sorted.
	Roles map[string][]string
}

// HasRole reports whether accountID has the role roleName.
func (s State) HasRole(accountID, roleName string) bool {
	_, ok := slices.BinarySearch(s.Roles[accountID], roleName)
	return ok
}

// IPAMRoleAccounts returns the accounts that have AWSServiceRoleForIPAM,
// sorted.
func (s State) IPAMRoleAccounts() []string {
	var out []string
	for acct := range s.Roles {
		if s.HasRole(acct, IPAMRoleName) {
			out = append(out, acct)
		}
	}
	slices.Sort(out)
	return out
}

// Snapshot returns the latest state, ignoring lag. Safe for concurrent use.
func (e *Emulator) Snapshot() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := State{
		TrustedServices: map[string]time.Time{},
		DelegatedAdmins: map[string][]string{},
		Roles:           map[string][]string{},
	}
	if o := e.m.org; o != nil {
		s.OrganizationID, s.ManagementAccountID, s.FeatureSet = o.id, o.mgmt.id, o.featureSet
	}
	for p, h := range e.m.trusted {
		if d, ok := h.latest(); ok {
			s.TrustedServices[p] = d
		}
	}
	for k, h := range e.m.admins {
		if _, ok := h.latest(); ok {
			s.DelegatedAdmins[k.principal] = append(s.DelegatedAdmins[k.principal], k.account)
		}
	}
	for _, v := range s.DelegatedAdmins {
		slices.Sort(v)
	}
	accounts := map[string]bool{}
	if e.m.org != nil {
		for _, a := range e.m.org.accounts {
			accounts[a.id] = true
		}
	}
	for a := range e.m.roles {
		accounts[a] = true
	}
	for a := range accounts {
		names := map[string]bool{OrganizationAccessRoleName: true}
		for n := range e.m.roles[a] {
			names[n] = true
		}
		var have []string
		for _, n := range slices.Sorted(maps.Keys(names)) {
			if _, ok := e.roleLatest(a, n); ok {
				have = append(have, n)
			}
		}
		if have != nil {
			s.Roles[a] = have
		}
	}
	return s
}
