package awstest

import (
	"slices"
	"time"
)

// IPAM resource discoveries and their associations with IPAMs. Every IPAM
// has a default resource discovery and a default association, which live
// and die with it; CreateIpamResourceDiscovery and
// AssociateIpamResourceDiscovery make others. A resource discovery reports
// the accounts it discovers (GetIpamDiscoveredAccounts); an IPAM monitors
// what the resource discoveries associated with it report.

// States of a resource discovery besides the IPAM states it shares
// (IPAMCreateInProgress, IPAMCreateComplete, IPAMDeleteInProgress), as EC2
// names them.
const (
	ResourceDiscoveryModifyInProgress = "modify-in-progress"
	ResourceDiscoveryModifyComplete   = "modify-complete"
)

// States of a resource discovery association, as EC2 names them.
const (
	AssociateInProgress    = "associate-in-progress"
	AssociateComplete      = "associate-complete"
	DisassociateInProgress = "disassociate-in-progress"
)

// discoveryRes is one IPAM resource discovery.
type discoveryRes struct {
	id, arn, owner, region, description string
	operating                           []string
	tags                                []tag
	clientToken                         string
	// ipam is the IPAM whose default resource discovery this is: it shares
	// the IPAM's lifecycle and operating Regions. nil for one that
	// CreateIpamResourceDiscovery made.
	ipam *ipamRes
	// orgWide (made ones only): created by the IPAM delegated
	// administrator, so it discovers the organization while its owner
	// stays the admin, as an IPAM does (docs/emulator.md#scope).
	orgWide bool
	// ready and gone, deleting (made ones only): as ipamRes's.
	ready, gone time.Time
	deleting    bool
	// modified: ModifyIpamResourceDiscovery changed it; it is
	// modify-in-progress until modifyDone.
	modified   bool
	modifyDone time.Time
	// exclusions are its OU exclusions (entity paths) over time, so that
	// discovery sees them one discovery lag late.
	exclusions history[[]string]
}

// assocRes is one association of a resource discovery with an IPAM.
type assocRes struct {
	id, arn, owner string
	ipam           *ipamRes
	disco          *discoveryRes
	tags           []tag
	clientToken    string
	// isDefault: the IPAM's default association, which lives and dies
	// with the IPAM.
	isDefault   bool
	ready, gone time.Time
	deleting    bool
}

// resourceDiscoveries are the resource discoveries and associations of
// every account, in creation order. Guarded by Emulator.mu.
type resourceDiscoveries struct {
	list   []*discoveryRes
	assocs []*assocRes
	seq    int
}

// stateAt is the resource discovery's state at now; "" once it is gone.
func (d *discoveryRes) stateAt(now time.Time) string {
	var s string
	switch {
	case d.ipam != nil:
		s = d.ipam.stateAt(now)
	case d.deleting && now.Before(d.gone):
		s = IPAMDeleteInProgress
	case d.deleting:
		s = ""
	case now.Before(d.ready):
		s = IPAMCreateInProgress
	default:
		s = IPAMCreateComplete
	}
	switch {
	case s != IPAMCreateComplete || !d.modified:
		return s
	case now.Before(d.modifyDone):
		return ResourceDiscoveryModifyInProgress
	}
	return ResourceDiscoveryModifyComplete
}

// readyAt is when the resource discovery became create-complete (the zero
// time: from the start), from which it discovers.
func (d *discoveryRes) readyAt() time.Time {
	if d.ipam != nil {
		return d.ipam.ready
	}
	return d.ready
}

func (d *discoveryRes) isDefault() bool { return d.ipam != nil }

// stateAt is the association's state at now; "" once it is gone. An
// association ends with its IPAM (docs/emulator.md#resource-discoveries).
func (a *assocRes) stateAt(now time.Time) string {
	switch s := a.ipam.stateAt(now); {
	case s == "":
		return ""
	case s == IPAMDeleteInProgress:
		return DisassociateInProgress
	case a.isDefault && s == IPAMCreateInProgress:
		return AssociateInProgress
	case a.isDefault:
		return AssociateComplete
	}
	switch {
	case a.deleting && now.Before(a.gone):
		return DisassociateInProgress
	case a.deleting:
		return ""
	case now.Before(a.ready):
		return AssociateInProgress
	}
	return AssociateComplete
}

// aliveDiscoveries returns the resource discoveries that exist at now
// (being deleted included), optionally only those of owner in region (""
// for any).
func (e *Emulator) aliveDiscoveries(now time.Time, owner, region string) []*discoveryRes {
	var out []*discoveryRes
	for _, d := range e.m.discoveries.list {
		if d.stateAt(now) == "" || owner != "" && d.owner != owner || region != "" && d.region != region {
			continue
		}
		out = append(out, d)
	}
	return out
}

// aliveAssociations returns the associations that exist at now
// (disassociating included), optionally only those of the IPAMs of owner
// in region ("" for any).
func (e *Emulator) aliveAssociations(now time.Time, owner, region string) []*assocRes {
	var out []*assocRes
	for _, a := range e.m.discoveries.assocs {
		if a.stateAt(now) == "" || owner != "" && a.ipam.owner != owner || region != "" && a.ipam.region != region {
			continue
		}
		out = append(out, a)
	}
	return out
}

// collectDiscoveries forgets resource discoveries and associations that
// are gone.
func (e *Emulator) collectDiscoveries(now time.Time) {
	rd := &e.m.discoveries
	rd.list = slices.DeleteFunc(rd.list, func(d *discoveryRes) bool { return d.stateAt(now) == "" })
	rd.assocs = slices.DeleteFunc(rd.assocs, func(a *assocRes) bool { return a.stateAt(now) == "" })
}

// addDefaultDiscovery records ip's default resource discovery and
// association, with exclusions (OU paths of names, validated) in force
// from the start.
func (e *Emulator) addDefaultDiscovery(now time.Time, ip *ipamRes, exclusions []string) {
	e.collectDiscoveries(now)
	d := &discoveryRes{id: ip.discoID, arn: ip.discoARN, owner: ip.owner, region: ip.region, operating: ip.operating, ipam: ip}
	var paths []string
	for _, s := range exclusions {
		if e.m.org == nil {
			break
		}
		if p, ok := e.m.org.exclusionFromNames(s); ok {
			paths = append(paths, p)
		}
	}
	if len(paths) > 0 {
		d.exclusions.reset(paths, true)
	}
	rd := &e.m.discoveries
	rd.list = append(rd.list, d)
	rd.assocs = append(rd.assocs, &assocRes{
		id: ip.assocID, arn: associationARN(ip.owner, ip.assocID), owner: ip.owner, ipam: ip, disco: d, isDefault: true,
	})
}

func associationARN(owner, id string) string {
	return "arn:aws:ec2::" + owner + ":ipam-resource-discovery-association/" + id
}

// discoveryOrgWide reports whether d discovers the whole organization now
// (see organizationWide).
func (e *Emulator) discoveryOrgWide(d *discoveryRes) bool {
	if d.ipam != nil {
		return e.organizationWide(d.ipam)
	}
	return d.orgWide && e.m.org != nil && e.ipamAdmin() == d.owner
}

// excluder returns, for an organization-wide d, whether the exclusions in
// force at t exclude an account: one directly in an excluded OU, unless it
// is d's owner, the IPAM delegated administrator (IPAM User Guide: "The
// delegated IPAM admin account is not excluded even if it's within an OU
// that's excluded"). The exclusions are resolved once, not per account.
func (e *Emulator) excluder(d *discoveryRes, t time.Time) func(acct *account) bool {
	paths, _ := d.exclusions.asOf(t)
	ous := e.m.org.excludedOUs(paths)
	return func(acct *account) bool { return ous[acct.parent] && acct.id != d.owner }
}

// associationCount is the number of resource discoveries associated with
// ip at now, its default one included.
func (e *Emulator) associationCount(ip *ipamRes, now time.Time) int {
	n := 0
	for _, a := range e.aliveAssociations(now, ip.owner, ip.region) {
		if a.ipam == ip {
			n++
		}
	}
	return n
}

// ResourceDiscovery is one IPAM resource discovery as State reports it.
type ResourceDiscovery struct {
	ID      string `json:"id"`
	ARN     string `json:"arn"`
	OwnerID string `json:"ownerId"`
	// Region is its home Region.
	Region           string   `json:"region"`
	OperatingRegions []string `json:"operatingRegions"`
	// IsDefault: the default resource discovery of the IPAM IPAMID.
	IsDefault bool   `json:"isDefault"`
	IPAMID    string `json:"ipamId,omitempty"`
	// State is IPAMCreateInProgress, IPAMCreateComplete,
	// ResourceDiscoveryModifyInProgress, ResourceDiscoveryModifyComplete or
	// IPAMDeleteInProgress.
	State string `json:"state"`
	// OrganizationWide reports whether it discovers every account of the
	// organization (see docs/emulator.md#scope), not only its owner's.
	OrganizationWide bool `json:"organizationWide"`
	// Exclusions are its OU exclusions, entity paths, as of the latest
	// state (discovery sees them one discovery lag late).
	Exclusions  []string `json:"exclusions"`
	Description string   `json:"description,omitempty"`
}

// ResourceDiscoveryAssociation is one association of a resource discovery
// with an IPAM as State reports it.
type ResourceDiscoveryAssociation struct {
	ID                  string `json:"id"`
	ARN                 string `json:"arn"`
	OwnerID             string `json:"ownerId"`
	IPAMID              string `json:"ipamId"`
	ResourceDiscoveryID string `json:"resourceDiscoveryId"`
	IsDefault           bool   `json:"isDefault"`
	// State is AssociateInProgress, AssociateComplete or
	// DisassociateInProgress.
	State string `json:"state"`
}

// snapshotDiscoveries adds the resource discoveries and associations to
// s. Called with mu held.
func (e *Emulator) snapshotDiscoveries(s *State, now time.Time) {
	s.ResourceDiscoveries = []ResourceDiscovery{}
	s.ResourceDiscoveryAssociations = []ResourceDiscoveryAssociation{}
	for _, d := range e.aliveDiscoveries(now, "", "") {
		paths, _ := d.exclusions.latest()
		rd := ResourceDiscovery{
			ID: d.id, ARN: d.arn, OwnerID: d.owner, Region: d.region, OperatingRegions: slices.Clone(d.operating),
			IsDefault: d.isDefault(), State: d.stateAt(now), OrganizationWide: e.discoveryOrgWide(d),
			Exclusions: append([]string{}, paths...), Description: d.description,
		}
		if d.ipam != nil {
			rd.IPAMID = d.ipam.id
		}
		s.ResourceDiscoveries = append(s.ResourceDiscoveries, rd)
	}
	for _, a := range e.aliveAssociations(now, "", "") {
		s.ResourceDiscoveryAssociations = append(s.ResourceDiscoveryAssociations, ResourceDiscoveryAssociation{
			ID: a.id, ARN: a.arn, OwnerID: a.owner, IPAMID: a.ipam.id, ResourceDiscoveryID: a.disco.id,
			IsDefault: a.isDefault, State: a.stateAt(now),
		})
	}
}

// ResourceDiscovery returns the resource discovery with id, and whether
// there is one.
func (s State) ResourceDiscovery(id string) (ResourceDiscovery, bool) {
	i := slices.IndexFunc(s.ResourceDiscoveries, func(d ResourceDiscovery) bool { return d.ID == id })
	if i < 0 {
		return ResourceDiscovery{}, false
	}
	return s.ResourceDiscoveries[i], true
}
