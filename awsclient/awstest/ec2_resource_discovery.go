package awstest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type xmlOUExclusion struct {
	OrganizationsEntityPath string `xml:"organizationsEntityPath"`
}

// xmlOUExclusionSet is an organizationalUnitExclusionSet, present even when
// empty, as the tagSet.
type xmlOUExclusionSet struct {
	Items []xmlOUExclusion `xml:"item"`
}

type xmlResourceDiscovery struct {
	OwnerID                      string            `xml:"ownerId"`
	IpamResourceDiscoveryID      string            `xml:"ipamResourceDiscoveryId"`
	IpamResourceDiscoveryArn     string            `xml:"ipamResourceDiscoveryArn"`
	IpamResourceDiscoveryRegion  string            `xml:"ipamResourceDiscoveryRegion"`
	Description                  string            `xml:"description,omitempty"`
	OperatingRegions             []xmlRegionName   `xml:"operatingRegionSet>item"`
	IsDefault                    bool              `xml:"isDefault"`
	State                        string            `xml:"state"`
	Tags                         xmlTagSet         `xml:"tagSet"`
	OrganizationalUnitExclusions xmlOUExclusionSet `xml:"organizationalUnitExclusionSet"`
}

func xmlDiscovery(d *discoveryRes, state string) xmlResourceDiscovery {
	paths, _ := d.exclusions.latest()
	x := xmlResourceDiscovery{
		OwnerID:                      d.owner,
		IpamResourceDiscoveryID:      d.id,
		IpamResourceDiscoveryArn:     d.arn,
		IpamResourceDiscoveryRegion:  d.region,
		Description:                  d.description,
		OperatingRegions:             regionNames(d.operating),
		IsDefault:                    d.isDefault(),
		State:                        state,
		Tags:                         tagSet(d.tags),
		OrganizationalUnitExclusions: xmlOUExclusionSet{Items: make([]xmlOUExclusion, 0, len(paths))},
	}
	for _, p := range paths {
		x.OrganizationalUnitExclusions.Items = append(x.OrganizationalUnitExclusions.Items, xmlOUExclusion{p})
	}
	return x
}

type resourceDiscoveryResult struct {
	ec2Base
	Discovery xmlResourceDiscovery `xml:"ipamResourceDiscovery"`
}

type describeDiscoveriesResult struct {
	ec2Base
	Discoveries []xmlResourceDiscovery `xml:"ipamResourceDiscoverySet>item"`
	NextToken   string                 `xml:"nextToken,omitempty"`
}

// formRegions parses the operating Regions prefix.N.RegionName of a request,
// each an enabled Region, without repeats.
func formRegions(c *call, prefix string) ([]string, *apiError) {
	var out []string
	for _, n := range formIndexes(c.form, prefix) {
		r := c.form.Get(prefix + "." + strconv.Itoa(n) + ".RegionName")
		switch {
		case !isEnabledRegion(r):
			return nil, ec2InvalidParameter("The operating Region '%s' is not a valid Region.", truncate(r, 32))
		case !slices.Contains(out, r):
			out = append(out, r)
		}
	}
	return out, nil
}

// homeRegionMissing refuses operating Regions without the home Region.
// Assumption (docs/emulator.md#ipam): they must include it, as Terraform's
// provider requires before it calls AWS.
func homeRegionMissing(regions []string, home string) *apiError {
	if len(regions) > 0 && !slices.Contains(regions, home) {
		return ec2InvalidParameter("The operating Regions must include the home Region %s.", home)
	}
	return nil
}

// ownDiscovery returns the caller's resource discovery id in the request's
// Region, existing at now. Assumption (docs/emulator.md#resource-discoveries):
// resource discoveries shared through AWS RAM are not modeled, so another
// account's is not found.
func (e *Emulator) ownDiscovery(c *call, id string) *discoveryRes {
	for _, d := range e.aliveDiscoveries(c.now, c.id.account, c.region) {
		if d.id == id {
			return d
		}
	}
	return nil
}

func discoveryNotFound(id string) *apiError {
	return ec2NotFound("InvalidIpamResourceDiscoveryId.NotFound", "ipam resource discovery", id)
}

func (e *Emulator) createIpamResourceDiscovery(c *call) (any, *apiError) {
	operating, ae := formRegions(c, "OperatingRegion")
	if ae != nil {
		return nil, ae
	}
	if ae := homeRegionMissing(operating, c.region); ae != nil {
		return nil, ae
	}
	tags, ae := ec2TagSpecs(c, "ipam-resource-discovery")
	if ae != nil {
		return nil, ae
	}
	token := c.form.Get("ClientToken")
	var made []*discoveryRes
	for _, d := range e.aliveDiscoveries(c.now, c.id.account, c.region) {
		if d.isDefault() {
			continue
		}
		if token != "" && d.clientToken == token {
			// Idempotency, as CreateIpam's.
			if c.dryRun {
				return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
			}
			return &resourceDiscoveryResult{Discovery: xmlDiscovery(d, d.stateAt(c.now))}, nil
		}
		made = append(made, d)
	}
	if len(made) >= e.quotas.resourceDiscoveries {
		// The quota, by default one resource discovery per Region (IPAM
		// User Guide, "Quotas for your IPAM"). Assumption
		// (docs/emulator.md#resource-discoveries): an IPAM's default
		// resource discovery does not count, or no IPAM account could
		// create the one Terraform users give exclusions to.
		return nil, errf(http.StatusBadRequest, "ResourceLimitExceeded",
			"You have reached the maximum number of resource discoveries (%d) for your account in %s.", e.quotas.resourceDiscoveries, c.region)
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	if len(operating) == 0 {
		operating = []string{c.region}
	}
	e.collectDiscoveries(c.now)
	rd := &e.m.discoveries
	rd.seq++
	// Not the IPAMs' sequence: these ids must not collide with the default
	// resource discoveries'.
	id := ipamID("ipam-res-disco", c.id.account, c.region+"/created", rd.seq)
	d := &discoveryRes{
		id:          id,
		arn:         "arn:aws:ec2::" + c.id.account + ":ipam-resource-discovery/" + id,
		owner:       c.id.account,
		region:      c.region,
		description: strings.Clone(c.form.Get("Description")),
		operating:   operating,
		tags:        tags,
		clientToken: strings.Clone(token),
		orgWide:     e.inOrg(c.id.account) && e.ipamAdmin() == c.id.account,
		ready:       c.now.Add(e.ipamDelay),
	}
	rd.list = append(rd.list, d)
	return &resourceDiscoveryResult{Discovery: xmlDiscovery(d, IPAMCreateInProgress)}, nil
}

// Assumption (docs/emulator.md#resource-discoveries): EC2 documents no
// filter names for DescribeIpamResourceDiscoveries; the emulator takes
// these, as DescribeIpams names its own, and tag-key and tag:<key>.
var discoveryFilters = map[string]func(d *discoveryRes, state string) []string{
	"ipam-resource-discovery-id": func(d *discoveryRes, _ string) []string { return []string{d.id} },
	"owner-id":                   func(d *discoveryRes, _ string) []string { return []string{d.owner} },
	"state":                      func(_ *discoveryRes, state string) []string { return []string{state} },
	"is-default":                 func(d *discoveryRes, _ string) []string { return []string{strconv.FormatBool(d.isDefault())} },
	"description":                func(d *discoveryRes, _ string) []string { return []string{d.description} },
	"operating-region":           func(d *discoveryRes, _ string) []string { return d.operating },
}

func (e *Emulator) describeIpamResourceDiscoveries(c *call) (any, *apiError) {
	filters, ae := ec2Filters(c.form, func(n string) bool { _, ok := discoveryFilters[n]; return ok || isTagFilter(n) })
	if ae != nil {
		return nil, ae
	}
	size, ae := ec2MaxResults(c.form, 0)
	if ae != nil {
		return nil, ae
	}
	ids := formList(c.form, "IpamResourceDiscoveryId")
	for _, id := range ids {
		if e.ownDiscovery(c, id) == nil {
			return nil, discoveryNotFound(id)
		}
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	var match []xmlResourceDiscovery
	for _, d := range e.aliveDiscoveries(c.now, c.id.account, c.region) {
		state := d.stateAt(c.now)
		fields := func(name string) []string { return discoveryFilters[name](d, state) }
		if (len(ids) == 0 || slices.Contains(ids, d.id)) && ec2Match(filters, d.tags, fields) {
			match = append(match, xmlDiscovery(d, state))
		}
	}
	start, end, next, ae := ec2Page(c.form, c.op.name+"/"+c.region, len(match), size)
	if ae != nil {
		return nil, ae
	}
	return &describeDiscoveriesResult{Discoveries: match[start:end], NextToken: next}, nil
}

// formPaths returns the OrganizationsEntityPath of each prefix.N, at most
// the model's ten.
func formPaths(c *call, prefix string) ([]string, *apiError) {
	var out []string
	for _, n := range formIndexes(c.form, prefix) {
		out = append(out, c.form.Get(prefix+"."+strconv.Itoa(n)+".OrganizationsEntityPath"))
	}
	if len(out) > maxExclusionsPerRequest {
		return nil, ec2InvalidParameter("%s takes at most %d organizations entity paths.", prefix, maxExclusionsPerRequest)
	}
	return out, nil
}

// invalidEntityPaths is EC2's answer to an exclusion path that names
// nothing in the organization (the message terraform-provider-aws matches
// when it retries while IPAM discovers a new OU).
func invalidEntityPaths(path string) *apiError {
	return ec2InvalidParameter("One or more of the organizations entity paths is invalid: '%s'.", truncate(path, 256))
}

// modifiedExclusions applies a ModifyIpamResourceDiscovery's removals, then
// its additions, to d's exclusions, and checks the result: every path
// added resolves in the organization, none overlaps another, at most the
// quota.
func (e *Emulator) modifiedExclusions(c *call, d *discoveryRes, add, remove []string) ([]string, *apiError) {
	current, _ := d.exclusions.latest()
	if len(add) == 0 && len(remove) == 0 {
		return current, nil
	}
	if len(add) > 0 && !e.discoveryOrgWide(d) {
		// Assumption (docs/emulator.md#exclusions): AWS requires the IPAM
		// to be integrated with AWS Organizations and the caller to be
		// the delegated administrator; its refusal is undocumented.
		return nil, errf(http.StatusBadRequest, "OperationNotPermitted",
			"The resource discovery %s does not discover an AWS organization: only the IPAM delegated administrator's can exclude organizational units.", d.id)
	}
	next := slices.Clone(current)
	for _, p := range remove {
		i := slices.Index(next, p)
		if i < 0 {
			// Assumption (docs/emulator.md#exclusions): removing a path
			// that is not an exclusion is refused, not ignored.
			return nil, ec2InvalidParameter("The organizations entity path '%s' is not an exclusion of the resource discovery %s.", truncate(p, 256), d.id)
		}
		next = slices.Delete(next, i, i+1)
	}
	if len(add) == 0 {
		return next, nil
	}
	var kept []exclusion
	for _, p := range next {
		if x, ok := e.m.org.resolveExclusion(p); ok {
			kept = append(kept, x)
		}
	}
	for _, p := range add {
		x, ok := e.m.org.resolveExclusion(p)
		if !ok {
			return nil, invalidEntityPaths(p)
		}
		for _, y := range kept {
			if x.overlaps(y) {
				// Assumption (docs/emulator.md#exclusions): the model
				// forbids overlapping exclusions without naming the error.
				return nil, ec2InvalidParameter("The organizations entity path '%s' overlaps another exclusion of the resource discovery: two exclusions must not exclude the same organizational unit.", truncate(p, 256))
			}
		}
		kept = append(kept, x)
		next = append(next, strings.Clone(p))
	}
	if len(next) > e.quotas.ouExclusions {
		// Assumption (docs/emulator.md#exclusions): the quota's error code
		// is undocumented; ResourceLimitExceeded as for IPAMs.
		return nil, errf(http.StatusBadRequest, "ResourceLimitExceeded",
			"You have reached the maximum number of organizational unit exclusions (%d) for the resource discovery %s.", e.quotas.ouExclusions, d.id)
	}
	return next, nil
}

func (e *Emulator) modifyIpamResourceDiscovery(c *call) (any, *apiError) {
	id := c.form.Get("IpamResourceDiscoveryId")
	if id == "" {
		return nil, ec2Missing("IpamResourceDiscoveryId")
	}
	addRegions, ae := formRegions(c, "AddOperatingRegion")
	if ae != nil {
		return nil, ae
	}
	removeRegions, ae := formRegions(c, "RemoveOperatingRegion")
	if ae != nil {
		return nil, ae
	}
	add, ae := formPaths(c, "AddOrganizationalUnitExclusion")
	if ae != nil {
		return nil, ae
	}
	remove, ae := formPaths(c, "RemoveOrganizationalUnitExclusion")
	if ae != nil {
		return nil, ae
	}
	d := e.ownDiscovery(c, id)
	if d == nil {
		return nil, discoveryNotFound(id)
	}
	if d.stateAt(c.now) == IPAMDeleteInProgress {
		// Assumption (docs/emulator.md#resource-discoveries).
		return nil, errf(http.StatusBadRequest, "IncorrectState", "The resource discovery %s is being deleted.", d.id)
	}
	operating := d.operating
	if len(addRegions) > 0 || len(removeRegions) > 0 {
		if d.isDefault() {
			// Assumption (docs/emulator.md#resource-discoveries): a
			// default resource discovery operates in its IPAM's Regions.
			return nil, ec2InvalidParameter("The operating Regions of the default resource discovery %s are those of its IPAM.", d.id)
		}
		operating = slices.Clone(d.operating)
		for _, r := range addRegions {
			if !slices.Contains(operating, r) {
				operating = append(operating, r)
			}
		}
		operating = slices.DeleteFunc(operating, func(r string) bool { return slices.Contains(removeRegions, r) })
		if !slices.Contains(operating, d.region) {
			return nil, ec2InvalidParameter("The operating Regions must include the home Region %s.", d.region)
		}
	}
	exclusions, ae := e.modifiedExclusions(c, d, add, remove)
	if ae != nil {
		return nil, ae
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	if _, ok := c.form["Description"]; ok {
		d.description = strings.Clone(c.form.Get("Description"))
	}
	d.operating = operating
	if len(add) > 0 || len(remove) > 0 {
		// Discovery sees the change one discovery lag later.
		d.exclusions.set(c.now, exclusions, true, e.cutoff(c.now))
	}
	d.modified, d.modifyDone = true, c.now.Add(e.ipamDelay)
	// EC2 answers before the change is complete, whatever the delay;
	// Terraform's provider waits for modify-complete.
	return &resourceDiscoveryResult{Discovery: xmlDiscovery(d, ResourceDiscoveryModifyInProgress)}, nil
}

func (e *Emulator) deleteIpamResourceDiscovery(c *call) (any, *apiError) {
	id := c.form.Get("IpamResourceDiscoveryId")
	if id == "" {
		return nil, ec2Missing("IpamResourceDiscoveryId")
	}
	d := e.ownDiscovery(c, id)
	switch {
	case d == nil:
		return nil, discoveryNotFound(id)
	case d.isDefault():
		// Assumption (docs/emulator.md#resource-discoveries): a default
		// resource discovery goes with its IPAM only.
		return nil, ec2InvalidParameter("The resource discovery %s is the default resource discovery of %s: delete the IPAM instead.", d.id, d.ipam.id)
	}
	for _, a := range e.aliveAssociations(c.now, "", "") {
		if a.disco == d && a.stateAt(c.now) != DisassociateInProgress {
			// Assumption (docs/emulator.md#resource-discoveries).
			return nil, errf(http.StatusBadRequest, "IncorrectState",
				"The resource discovery %s is associated with %s: disassociate it first.", d.id, a.ipam.id)
		}
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	if !d.deleting {
		d.deleting, d.gone = true, c.now.Add(e.ipamDelay)
	}
	return &resourceDiscoveryResult{Discovery: xmlDiscovery(d, IPAMDeleteInProgress)}, nil
}

func isTagFilter(name string) bool {
	return name == "tag-key" || strings.HasPrefix(name, "tag:") && len(name) > 4
}

// ec2Match applies EC2's filter semantics: every filter must match, each by
// any of its values. tag:<key> and tag-key read tags; fields answers the
// others.
func ec2Match(filters []ec2Filter, tags []tag, fields func(name string) []string) bool {
	for _, f := range filters {
		var have []string
		switch key, isTag := strings.CutPrefix(f.name, "tag:"); {
		case isTag:
			for _, t := range tags {
				if t.key == key {
					have = append(have, t.value)
				}
			}
		case f.name == "tag-key":
			for _, t := range tags {
				have = append(have, t.key)
			}
		default:
			have = fields(f.name)
		}
		if !slices.ContainsFunc(have, f.match) {
			return false
		}
	}
	return true
}
