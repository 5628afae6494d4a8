package awstest

import (
	"slices"
	"time"
)

// State is a point-in-time copy of the emulator's latest state, unaffected
// by lag, for tests to assert on. Its JSON form is what the control plane's
// GET /_awstest/state answers.
type State struct {
	// OrganizationID is "" when there is no organization.
	OrganizationID      string `json:"organizationId"`
	ManagementAccountID string `json:"managementAccountId"`
	FeatureSet          string `json:"featureSet"`
	// RootID is the id of the organization's root.
	RootID string `json:"rootId"`
	// TrustedServices maps each service principal with trusted access to
	// the date it was enabled.
	TrustedServices map[string]time.Time `json:"trustedServices"`
	// DelegatedAdmins maps each service principal to its delegated
	// administrator account ids, sorted.
	DelegatedAdmins map[string][]string `json:"delegatedAdmins"`
	// Roles maps each account id of the organization (and any other account
	// with a role) that has a role to its role names, sorted.
	Roles map[string][]string `json:"roles"`
	// IPAMs are the IPAMs that exist (being deleted included), in creation
	// order.
	IPAMs []IPAM `json:"ipams"`
	// ResourceDiscoveries are the resource discoveries that exist, each
	// IPAM's default one included, in creation order.
	ResourceDiscoveries []ResourceDiscovery `json:"resourceDiscoveries"`
	// ResourceDiscoveryAssociations are the associations of resource
	// discoveries with IPAMs, each IPAM's default one included.
	ResourceDiscoveryAssociations []ResourceDiscoveryAssociation `json:"resourceDiscoveryAssociations"`
}

// IPAM is one IPAM as State reports it.
type IPAM struct {
	ID      string `json:"id"`
	ARN     string `json:"arn"`
	OwnerID string `json:"ownerId"`
	// Region is the IPAM's home Region.
	Region           string   `json:"region"`
	OperatingRegions []string `json:"operatingRegions"`
	Tier             string   `json:"tier"`
	// State is IPAMCreateInProgress, IPAMCreateComplete or
	// IPAMDeleteInProgress.
	State string `json:"state"`
	// OrganizationWide reports whether the IPAM discovers every account of
	// the organization (see docs/emulator.md#scope), not only its owner's.
	OrganizationWide bool `json:"organizationWide"`
	// ResourceDiscoveryID is the id of its default resource discovery, for
	// GetIpamDiscoveredAccounts.
	ResourceDiscoveryID string `json:"resourceDiscoveryId"`
	Description         string `json:"description,omitempty"`
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

// IPAMsOf returns the IPAMs owned by accountID, in creation order.
func (s State) IPAMsOf(accountID string) []IPAM {
	var out []IPAM
	for _, ip := range s.IPAMs {
		if ip.OwnerID == accountID {
			out = append(out, ip)
		}
	}
	return out
}

// Snapshot returns the latest state, ignoring lag. Safe for concurrent use.
func (e *Emulator) Snapshot() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	s := State{
		TrustedServices: map[string]time.Time{},
		DelegatedAdmins: map[string][]string{},
		Roles:           map[string][]string{},
		IPAMs:           []IPAM{},
	}
	if o := e.m.org; o != nil {
		s.OrganizationID, s.ManagementAccountID, s.FeatureSet, s.RootID = o.id, o.mgmt.id, o.featureSet, o.root.id
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
	for k, h := range e.m.roles {
		if _, ok := h.latest(); ok {
			s.Roles[k.account] = append(s.Roles[k.account], k.name)
		}
	}
	if e.m.org != nil {
		for _, a := range e.m.org.accounts {
			if e.m.roles[roleKey{a.id, OrganizationAccessRoleName}] == nil && e.hasDefaultAccessRole(a.id) {
				s.Roles[a.id] = append(s.Roles[a.id], OrganizationAccessRoleName)
			}
		}
	}
	for _, v := range s.Roles {
		slices.Sort(v)
	}
	for _, ip := range e.aliveIPAMs(now, "", "") {
		s.IPAMs = append(s.IPAMs, IPAM{
			ID:                  ip.id,
			ARN:                 ip.arn,
			OwnerID:             ip.owner,
			Region:              ip.region,
			OperatingRegions:    slices.Clone(ip.operating),
			Tier:                ip.tier,
			State:               ip.stateAt(now),
			OrganizationWide:    e.organizationWide(ip),
			ResourceDiscoveryID: ip.discoID,
			Description:         ip.description,
		})
	}
	e.snapshotDiscoveries(&s, now)
	return s
}
