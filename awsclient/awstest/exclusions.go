package awstest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Organizational unit exclusions of IPAM resource discoveries (IPAM User
// Guide, "Exclude organizational units from IPAM"; EC2 API Reference,
// AddIpamOrganizationalUnitExclusion). An exclusion is an Organizations
// entity path: the organization's id, the root's id and OU ids from the
// root down, each followed by "/"
// ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"), which excludes the accounts
// directly in the last OU; ending with "/*" instead
// ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*") it excludes that OU and every
// OU below it. The IPAM delegated administrator is never excluded.

// DefaultOUExclusionQuota is IPAM's default quota of OU exclusions per
// resource discovery (IPAM User Guide, "Quotas for your IPAM"; adjustable,
// see ServerOptions.OUExclusionQuota).
const DefaultOUExclusionQuota = 10

// DefaultResourceDiscoveryQuota is IPAM's default quota of resource
// discoveries an account creates per Region (IPAM User Guide, "Quotas for
// your IPAM"; adjustable, see ServerOptions.ResourceDiscoveryQuota).
const DefaultResourceDiscoveryQuota = 1

// maxExclusionsPerRequest is the most paths one ModifyIpamResourceDiscovery
// adds, and the most it removes (the model's AddIpamOrganizationalUnitExclusionSet
// and RemoveIpamOrganizationalUnitExclusionSet: max 10).
const maxExclusionsPerRequest = 10

// exclusion is one entity path resolved against the organization.
type exclusion struct {
	ou      *ou
	subtree bool // the path ends with "/*"
}

// covers reports whether the exclusion excludes the accounts directly in u.
func (x exclusion) covers(u *ou) bool {
	if x.ou == u {
		return true
	}
	if !x.subtree {
		return false
	}
	for p := u.parent; p != nil; p = p.parent {
		if p == x.ou {
			return true
		}
	}
	return false
}

// overlaps reports whether two exclusions exclude a common OU, which the
// model forbids ("two or more OU exclusions must not exclude the same
// OU"): the same OU twice, or an OU under another exclusion's "/*".
func (x exclusion) overlaps(y exclusion) bool { return x.covers(y.ou) || y.covers(x.ou) }

// resolveExclusion resolves an entity path against the organization: the
// organization's id, its root's, then a chain of OU ids each the child of
// the one before, naming at least one OU, ending with "/" or "/*".
// Assumption (docs/emulator.md#exclusions): the root alone is not an
// exclusion (the feature excludes organizational units), and a path
// without its final "/" is not one either.
func (o *org) resolveExclusion(path string) (exclusion, bool) {
	prefix, subtree := strings.CutSuffix(path, "*")
	if !strings.HasSuffix(prefix, "/") {
		return exclusion{}, false
	}
	segs := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
	if len(segs) < 3 {
		return exclusion{}, false
	}
	u := o.ous[segs[len(segs)-1]]
	// An OU's path is the whole chain from the organization's id down, so
	// one comparison checks every id and every parent.
	if u == nil || u.path != prefix {
		return exclusion{}, false
	}
	return exclusion{u, subtree}, true
}

// excludedOUs returns the OUs whose accounts paths exclude. Paths that
// resolve to no OU (possible only through SetOUExclusions) exclude nothing.
func (o *org) excludedOUs(paths []string) map[*ou]bool {
	if len(paths) == 0 {
		return nil
	}
	out := map[*ou]bool{}
	var mark func(u *ou)
	mark = func(u *ou) {
		out[u] = true
		for _, c := range u.children {
			mark(c)
		}
	}
	for _, p := range paths {
		x, ok := o.resolveExclusion(p)
		switch {
		case !ok:
		case x.subtree:
			mark(x.ou)
		default:
			out[x.ou] = true
		}
	}
	return out
}

// ouByNames returns the OU at a path of OU names ("Workloads/Dev", as
// Account.OU writes it), or nil.
func (o *org) ouByNames(names string) *ou {
	u := o.root
	for _, name := range splitOUPath(names) {
		i := slices.IndexFunc(u.children, func(c *ou) bool { return c.name == name })
		if i < 0 {
			return nil
		}
		u = u.children[i]
	}
	if u == o.root {
		return nil
	}
	return u
}

// exclusionFromNames turns a scenario's exclusion, an OU path of names
// optionally followed by "/*" ("Sandbox", "Workloads/*"), into the entity
// path EC2 takes; false when the organization has no such OU.
func (o *org) exclusionFromNames(s string) (string, bool) {
	names, subtree := strings.CutSuffix(s, "/*")
	if names == "" || strings.HasSuffix(names, "/") {
		return "", false
	}
	u := o.ouByNames(names)
	if u == nil {
		return "", false
	}
	if subtree {
		return u.path + "*", true
	}
	return u.path, true
}

// checkIPAMExclusions validates the exclusions of an IPAM that exists from
// the start (IPAMSpec.Exclusions) against the organization o (nil: none),
// whose IPAM delegated administrator is admin, and the quota.
func checkIPAMExclusions(f string, ip IPAMSpec, o *org, admin string, quota int) error {
	if len(ip.Exclusions) == 0 {
		return nil
	}
	f += ".exclusions"
	switch {
	case o == nil:
		return specErr(f, "exclusions need an organization")
	case ip.OwnAccountOnly || ip.Owner != admin:
		return specErr(f, "exclusions need an IPAM of the IPAM delegated administrator that discovers the organization (owner %s, admin %q, ownAccountOnly %t)", ip.Owner, admin, ip.OwnAccountOnly)
	case len(ip.Exclusions) > quota:
		return specErr(f, "%d exclusions; the quota is %d per resource discovery", len(ip.Exclusions), quota)
	}
	var seen []exclusion
	for j, s := range ip.Exclusions {
		fj := f + "[" + strconv.Itoa(j) + "]"
		path, ok := o.exclusionFromNames(s)
		if !ok {
			return specErr(fj, "%q names no OU of the organization: write an OU path of names, \"Sandbox\" for the accounts directly in it or \"Sandbox/*\" for it and every OU below", s)
		}
		x, _ := o.resolveExclusion(path)
		for k, y := range seen {
			if x.overlaps(y) {
				return specErr(fj, "%q overlaps %q: two exclusions must not exclude the same OU", s, ip.Exclusions[k])
			}
		}
		seen = append(seen, x)
	}
	return nil
}

// startForExclusions builds the organization spec describes (nil: none),
// and names its IPAM delegated administrator, when one of ipams has
// exclusions to check against it; spec has been validated.
func startForExclusions(ipams []IPAMSpec, spec *Organization) (*org, string) {
	if spec == nil || !slices.ContainsFunc(ipams, func(ip IPAMSpec) bool { return len(ip.Exclusions) > 0 }) {
		return nil, ""
	}
	admin := spec.IPAMDelegatedAdmin
	if a := spec.DelegatedAdmins[IPAMServicePrincipal]; admin == "" && len(a) > 0 {
		admin = a[0]
	}
	return newOrg(*spec), admin
}

// quotas are the adjustable IPAM quotas in force (IPAM User Guide,
// "Quotas for your IPAM").
type quotas struct {
	ouExclusions        int // per resource discovery
	resourceDiscoveries int // made per account per Region
}

func quotasOf(o *ServerOptions) quotas {
	q := quotas{ouExclusions: o.OUExclusionQuota, resourceDiscoveries: o.ResourceDiscoveryQuota}
	if q.ouExclusions <= 0 {
		q.ouExclusions = DefaultOUExclusionQuota
	}
	if q.resourceDiscoveries <= 0 {
		q.resourceDiscoveries = DefaultResourceDiscoveryQuota
	}
	return q
}

// OUEntityPath returns the Organizations entity path of the OU at ouPath,
// a path of OU names as Account.OU writes it ("Workloads/Dev"):
// "o-…/r-…/ou-…/ou-…/", as ModifyIpamResourceDiscovery takes it (append
// "*" to cover the OUs below). It errs when there is no organization or no
// such OU. Safe for concurrent use.
func (e *Emulator) OUEntityPath(ouPath string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m.org == nil {
		return "", fmt.Errorf("awstest: no organization")
	}
	u := e.m.org.ouByNames(ouPath)
	if u == nil {
		return "", fmt.Errorf("awstest: no OU %q in the organization", ouPath)
	}
	return u.path, nil
}

// SetOUExclusions replaces the OU exclusions of the resource discovery
// with id by paths (entity paths, none: no exclusion), visible at once to
// DescribeIpamResourceDiscoveries and to discovery whatever the discovery
// lag. Unlike ModifyIpamResourceDiscovery it checks nothing, so that a
// test can start from exclusions AWS would have kept after the
// organization changed (a deleted OU, a path of another organization). It
// errs when no such resource discovery exists. Safe for concurrent use.
func (e *Emulator) SetOUExclusions(discoveryID string, paths ...string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.aliveDiscoveries(e.now(), "", "") {
		if d.id == discoveryID {
			d.exclusions.reset(cloneStrings(paths), true)
			return nil
		}
	}
	return fmt.Errorf("awstest: no resource discovery %q", discoveryID)
}

// cloneStrings copies ss and its strings, so that the state keeps nothing
// of a caller's or a request's buffers; nil for none.
func cloneStrings(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Clone(s)
	}
	return out
}
