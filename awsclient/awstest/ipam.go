package awstest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// IPAM states, as EC2 names them.
const (
	IPAMCreateInProgress = "create-in-progress"
	IPAMCreateComplete   = "create-complete"
	IPAMDeleteInProgress = "delete-in-progress"
)

// Discovery failure codes of GetIpamDiscoveredAccounts, as EC2 names them.
const (
	DiscoveryAssumeRoleFailure   = "assume-role-failure"
	DiscoveryThrottlingFailure   = "throttling-failure"
	DiscoveryUnauthorizedFailure = "unauthorized-failure"
)

// ipamRes is one IPAM with its default scopes and resource discovery.
type ipamRes struct {
	id, arn, owner, region, description, tier string
	operating                                 []string
	tags                                      []tag
	clientToken                               string
	// orgWide: created by the IPAM delegated administrator, so it
	// discovers the whole organization while its owner stays the admin.
	orgWide bool
	// ready is when it becomes create-complete (the zero time: from the
	// start, and already discovered); gone, once deleting, is when it
	// disappears.
	ready, gone                                           time.Time
	deleting                                              bool
	discoID, discoARN, assocID, publicScope, privateScope string
}

type tag struct{ key, value string }

// ipams are the IPAMs of every account, in creation order. Guarded by
// Emulator.mu.
type ipams struct {
	list []*ipamRes
	seq  int
}

// stateAt is the IPAM's state at now; "" once it is gone.
func (ip *ipamRes) stateAt(now time.Time) string {
	switch {
	case ip.deleting && now.Before(ip.gone):
		return IPAMDeleteInProgress
	case ip.deleting:
		return ""
	case !ip.ready.IsZero() && now.Before(ip.ready):
		return IPAMCreateInProgress
	}
	return IPAMCreateComplete
}

// alive returns the IPAMs that exist at now (being deleted included),
// optionally only those of owner in region ("" for any).
func (e *Emulator) aliveIPAMs(now time.Time, owner, region string) []*ipamRes {
	var out []*ipamRes
	for _, ip := range e.m.ipams.list {
		if ip.stateAt(now) == "" || owner != "" && ip.owner != owner || region != "" && ip.region != region {
			continue
		}
		out = append(out, ip)
	}
	return out
}

// ipamID derives a resource id from the IPAM's sequence number, so that
// equal setups give equal ids: prefix + 17 lower-case hex digits, as EC2's.
func ipamID(prefix, owner, region string, seq int) string {
	sum := sha256.Sum256([]byte(prefix + "/" + owner + "/" + region + "/" + strconv.Itoa(seq)))
	return prefix + "-" + hex.EncodeToString(sum[:])[:17]
}

// createIPAM creates an IPAM as spec says, at now (the zero time: from the
// start, create-complete at once). The caller has validated spec.
func (e *Emulator) createIPAM(now time.Time, spec IPAMSpec) *ipamRes {
	e.collectIPAMs(now)
	e.m.ipams.seq++
	seq := e.m.ipams.seq
	region := ipamSpecRegion(spec)
	ip := &ipamRes{
		owner:       spec.Owner,
		region:      region,
		description: spec.Description,
		tier:        spec.Tier,
		operating:   slices.Clone(spec.OperatingRegions),
		orgWide:     !spec.OwnAccountOnly && e.inOrg(spec.Owner) && e.ipamAdmin() == spec.Owner,
	}
	if ip.tier == "" {
		// Assumption (docs/emulator.md#ipam): the API's default tier is
		// advanced, as Terraform's provider defaults it; AWS's API
		// reference names no default.
		ip.tier = TierAdvanced
	}
	if len(ip.operating) == 0 {
		ip.operating = []string{region}
	}
	if !now.IsZero() {
		ip.ready = now.Add(e.ipamDelay)
	}
	ip.id = ipamID("ipam", spec.Owner, region, seq)
	ip.arn = "arn:aws:ec2::" + spec.Owner + ":ipam/" + ip.id
	ip.discoID = ipamID("ipam-res-disco", spec.Owner, region, seq)
	ip.discoARN = "arn:aws:ec2::" + spec.Owner + ":ipam-resource-discovery/" + ip.discoID
	ip.assocID = ipamID("ipam-res-disco-assoc", spec.Owner, region, seq)
	ip.publicScope = ipamID("ipam-scope", spec.Owner, region, 2*seq)
	ip.privateScope = ipamID("ipam-scope", spec.Owner, region, 2*seq+1)
	e.m.ipams.list = append(e.m.ipams.list, ip)
	e.addDefaultDiscovery(now, ip, spec.Exclusions)
	// An IPAM creates its service-linked role in its own account when the
	// role is missing (IPAM User Guide, "Service-linked roles for IPAM").
	if _, has := e.roleLatest(spec.Owner, IPAMRoleName); !has {
		e.putRole(now, spec.Owner, ipamRole(e.dated(now)))
	}
	return ip
}

// deleteIPAMAt starts deleting ip at now; it is gone after the IPAM delay.
func (e *Emulator) deleteIPAMAt(now time.Time, ip *ipamRes) {
	if ip.deleting {
		return
	}
	ip.deleting, ip.gone = true, now.Add(e.ipamDelay)
}

// collectIPAMs forgets IPAMs that are gone.
func (e *Emulator) collectIPAMs(now time.Time) {
	e.m.ipams.list = slices.DeleteFunc(e.m.ipams.list, func(ip *ipamRes) bool { return ip.stateAt(now) == "" })
}

// ipamUsage lists, by Region, the IPAM resources of account that exist at
// now: what keeps its AWSServiceRoleForIPAM in use.
func (e *Emulator) ipamUsage(account string, now time.Time) []roleUsage {
	var out []roleUsage
	add := func(region, arn string) {
		i := slices.IndexFunc(out, func(u roleUsage) bool { return u.Region == region })
		if i < 0 {
			out = append(out, roleUsage{Region: region})
			i = len(out) - 1
		}
		out[i].Resources = append(out[i].Resources, arn)
	}
	for _, ip := range e.aliveIPAMs(now, account, "") {
		add(ip.region, ip.arn)
	}
	// Resource discoveries are IPAM resources too; default ones go with
	// their IPAM.
	for _, d := range e.aliveDiscoveries(now, account, "") {
		if !d.isDefault() {
			add(d.region, d.arn)
		}
	}
	slices.SortFunc(out, func(a, b roleUsage) int {
		switch {
		case a.Region < b.Region:
			return -1
		case a.Region > b.Region:
			return 1
		}
		return 0
	})
	return out
}

// organizationWide reports whether ip discovers the whole organization now:
// it was created by the IPAM delegated administrator, which its owner still
// is. Assumption (docs/emulator.md#scope): an IPAM created while its
// account was not the admin monitors only that account, and stays so.
func (e *Emulator) organizationWide(ip *ipamRes) bool {
	return ip.orgWide && e.m.org != nil && e.ipamAdmin() == ip.owner
}

type discoveryKey struct{ account, region string }

type discoveryFailure struct{ code, message string }

// discovered is one account as GetIpamDiscoveredAccounts reports it.
type discovered struct {
	account     *account // nil for an account outside the organization
	accountID   string
	attempted   time.Time
	failure     *discoveryFailure
	ouID        string
	lastSuccess time.Time // zero when the last attempt failed
}

// discoveryScope returns the accounts d discovers: every account of the
// organization (ACTIVE or not, excluded or not: the caller skips the
// others), or only its owner's.
func (e *Emulator) discoveryScope(d *discoveryRes) (accounts []*account, ownerOnly bool) {
	if e.discoveryOrgWide(d) {
		return e.m.org.accounts, false
	}
	return nil, true
}

// discover reports account id's discovery in region as of now by a
// resource discovery that became create-complete at ready, or false when
// IPAM has not discovered it yet (the resource discovery is still being
// created, or less than the discovery lag has passed since it was).
func (e *Emulator) discover(ready time.Time, acct *account, id, region string, now time.Time) (discovered, bool) {
	view := now.Add(-e.discoveryLag)
	if !ready.IsZero() && view.Before(ready) {
		return discovered{}, false
	}
	if view.Before(e.m.created) {
		view = e.m.created
	}
	d := discovered{account: acct, accountID: id, attempted: view}
	if acct != nil {
		d.ouID = acct.parent.id
	}
	if f, ok := e.m.failures[discoveryKey{id, region}]; ok {
		d.failure = &f
	} else if f, ok := e.m.failures[discoveryKey{id, ""}]; ok {
		d.failure = &f
	} else if _, has := e.roleAsOf(id, IPAMRoleName, view); !has {
		d.failure = &discoveryFailure{
			code:    DiscoveryAssumeRoleFailure,
			message: "IPAM could not assume the service-linked role " + IPAMRoleName + " in account " + id + ".",
		}
	}
	if d.failure == nil {
		d.lastSuccess = view
	}
	return d, true
}
