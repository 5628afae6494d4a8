package awstest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type xmlRegionName struct {
	RegionName string `xml:"regionName"`
}

type xmlIpam struct {
	OwnerID                               string          `xml:"ownerId"`
	IpamID                                string          `xml:"ipamId"`
	IpamArn                               string          `xml:"ipamArn"`
	IpamRegion                            string          `xml:"ipamRegion"`
	PublicDefaultScopeID                  string          `xml:"publicDefaultScopeId"`
	PrivateDefaultScopeID                 string          `xml:"privateDefaultScopeId"`
	ScopeCount                            int             `xml:"scopeCount"`
	Description                           string          `xml:"description,omitempty"`
	OperatingRegions                      []xmlRegionName `xml:"operatingRegionSet>item"`
	State                                 string          `xml:"state"`
	Tags                                  xmlTagSet       `xml:"tagSet"`
	DefaultResourceDiscoveryID            string          `xml:"defaultResourceDiscoveryId"`
	DefaultResourceDiscoveryAssociationID string          `xml:"defaultResourceDiscoveryAssociationId"`
	ResourceDiscoveryAssociationCount     int             `xml:"resourceDiscoveryAssociationCount"`
	Tier                                  string          `xml:"tier"`
	EnablePrivateGua                      bool            `xml:"enablePrivateGua"`
	MeteredAccount                        string          `xml:"meteredAccount"`
}

func regionNames(rs []string) []xmlRegionName {
	out := make([]xmlRegionName, len(rs))
	for i, r := range rs {
		out[i] = xmlRegionName{r}
	}
	return out
}

func xmlIPAM(ip *ipamRes, state string) xmlIpam {
	return xmlIpam{
		OwnerID:                               ip.owner,
		IpamID:                                ip.id,
		IpamArn:                               ip.arn,
		IpamRegion:                            ip.region,
		PublicDefaultScopeID:                  ip.publicScope,
		PrivateDefaultScopeID:                 ip.privateScope,
		ScopeCount:                            2,
		Description:                           ip.description,
		OperatingRegions:                      regionNames(ip.operating),
		State:                                 state,
		Tags:                                  tagSet(ip.tags),
		DefaultResourceDiscoveryID:            ip.discoID,
		DefaultResourceDiscoveryAssociationID: ip.assocID,
		ResourceDiscoveryAssociationCount:     1,
		Tier:                                  ip.tier,
		MeteredAccount:                        "ipam-owner",
	}
}

type ipamResult struct {
	ec2Base
	Ipam xmlIpam `xml:"ipam"`
}

type describeIpamsResult struct {
	ec2Base
	Ipams     []xmlIpam `xml:"ipamSet>item"`
	NextToken string    `xml:"nextToken,omitempty"`
}

func (e *Emulator) createIpam(c *call) (any, *apiError) {
	spec := IPAMSpec{Owner: c.id.account, Region: c.region, Description: c.form.Get("Description"), Tier: c.form.Get("Tier")}
	if spec.Tier != "" && spec.Tier != TierAdvanced && spec.Tier != TierFree {
		return nil, ec2InvalidParameter("Value (%s) for parameter tier is invalid. Valid values are free and advanced.", truncate(spec.Tier, 32))
	}
	var ae *apiError
	if spec.OperatingRegions, ae = formRegions(c, "OperatingRegion"); ae != nil {
		return nil, ae
	}
	if ae := homeRegionMissing(spec.OperatingRegions, c.region); ae != nil {
		return nil, ae
	}
	tags, ae := ec2TagSpecs(c, "ipam")
	if ae != nil {
		return nil, ae
	}
	for _, b := range []string{"EnablePrivateGua"} {
		if v, ae := ec2Bool(c.form, b); ae != nil {
			return nil, ae
		} else if v {
			// Assumption (docs/emulator.md#ipam): private GUA ranges are
			// outside what the emulator models.
			return nil, ec2InvalidParameter("EnablePrivateGua is not supported by the emulator.")
		}
	}
	token := c.form.Get("ClientToken")
	alive := e.aliveIPAMs(c.now, c.id.account, c.region)
	if token != "" {
		// Idempotency: the same ClientToken gets the same IPAM, so that a
		// retried request after a lost answer creates nothing more.
		for _, ip := range alive {
			if ip.clientToken == token {
				if c.dryRun {
					return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
				}
				return &ipamResult{Ipam: xmlIPAM(ip, ip.stateAt(c.now))}, nil
			}
		}
	}
	if len(alive) > 0 {
		// EC2's default quota is one IPAM per account per Region (IPAM
		// User Guide, "Quotas for your IPAM").
		return nil, errf(http.StatusBadRequest, "ResourceLimitExceeded",
			"You have reached the maximum number of IPAMs (1) for your account in %s.", c.region)
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	ip := e.createIPAM(c.now, spec)
	ip.tags, ip.clientToken = tags, strings.Clone(token)
	// EC2 answers before the IPAM is ready, whatever the delay.
	return &ipamResult{Ipam: xmlIPAM(ip, IPAMCreateInProgress)}, nil
}

// ec2TagSpecs parses TagSpecification.N for resource type rt.
func ec2TagSpecs(c *call, rt string) ([]tag, *apiError) {
	var out []tag
	for _, n := range formIndexes(c.form, "TagSpecification") {
		p := "TagSpecification." + strconv.Itoa(n)
		if got := c.form.Get(p + ".ResourceType"); got != rt {
			return nil, ec2InvalidParameter("'%s' is not a valid taggable resource type for this operation.", truncate(got, 64))
		}
		for _, m := range formIndexes(c.form, p+".Tag") {
			q := p + ".Tag." + strconv.Itoa(m)
			k := c.form.Get(q + ".Key")
			if k == "" || len(k) > 128 || strings.HasPrefix(k, "aws:") {
				return nil, ec2InvalidParameter("Tag key '%s' is not valid.", truncate(k, 128))
			}
			out = append(out, tag{strings.Clone(k), strings.Clone(c.form.Get(q + ".Value"))})
		}
	}
	return out, nil
}

// ownIPAM returns the caller's IPAM id in the request's Region, existing
// at now.
func (e *Emulator) ownIPAM(c *call, id string) *ipamRes {
	for _, ip := range e.aliveIPAMs(c.now, c.id.account, c.region) {
		if ip.id == id {
			return ip
		}
	}
	return nil
}

var ipamFilters = map[string]func(ip *ipamRes, state string) []string{
	"ipam-id":          func(ip *ipamRes, _ string) []string { return []string{ip.id} },
	"ipam-arn":         func(ip *ipamRes, _ string) []string { return []string{ip.arn} },
	"ipam-region":      func(ip *ipamRes, _ string) []string { return []string{ip.region} },
	"owner-id":         func(ip *ipamRes, _ string) []string { return []string{ip.owner} },
	"state":            func(_ *ipamRes, state string) []string { return []string{state} },
	"tier":             func(ip *ipamRes, _ string) []string { return []string{ip.tier} },
	"description":      func(ip *ipamRes, _ string) []string { return []string{ip.description} },
	"operating-region": func(ip *ipamRes, _ string) []string { return ip.operating },
}

func knownIPAMFilter(name string) bool {
	_, ok := ipamFilters[name]
	return ok || isTagFilter(name)
}

func matchIPAM(ip *ipamRes, state string, filters []ec2Filter) bool {
	return ec2Match(filters, ip.tags, func(name string) []string { return ipamFilters[name](ip, state) })
}

func (e *Emulator) describeIpams(c *call) (any, *apiError) {
	filters, ae := ec2Filters(c.form, knownIPAMFilter)
	if ae != nil {
		return nil, ae
	}
	size, ae := ec2MaxResults(c.form, 0)
	if ae != nil {
		return nil, ae
	}
	ids := formList(c.form, "IpamId")
	for _, id := range ids {
		if e.ownIPAM(c, id) == nil {
			return nil, ec2NotFound("InvalidIpamId.NotFound", "ipam", id)
		}
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	var match []xmlIpam
	for _, ip := range e.aliveIPAMs(c.now, c.id.account, c.region) {
		state := ip.stateAt(c.now)
		if (len(ids) == 0 || slices.Contains(ids, ip.id)) && matchIPAM(ip, state, filters) {
			x := xmlIPAM(ip, state)
			x.ResourceDiscoveryAssociationCount = e.associationCount(ip, c.now)
			match = append(match, x)
		}
	}
	start, end, next, ae := ec2Page(c.form, c.op.name+"/"+c.region, len(match), size)
	if ae != nil {
		return nil, ae
	}
	return &describeIpamsResult{Ipams: match[start:end], NextToken: next}, nil
}

func (e *Emulator) deleteIpam(c *call) (any, *apiError) {
	id := c.form.Get("IpamId")
	if id == "" {
		return nil, ec2Missing("IpamId")
	}
	// Cascade deletes the IPAM's pools and non-default scopes too; the
	// emulator's IPAMs have none, so with or without it the IPAM goes.
	if _, ae := ec2Bool(c.form, "Cascade"); ae != nil {
		return nil, ae
	}
	ip := e.ownIPAM(c, id)
	if ip == nil {
		return nil, ec2NotFound("InvalidIpamId.NotFound", "ipam", id)
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	// Assumption (docs/emulator.md#ipam): deleting an IPAM already being
	// deleted answers as the first deletion did.
	e.deleteIPAMAt(c.now, ip)
	// EC2 answers before the IPAM is gone, whatever the delay.
	return &ipamResult{Ipam: xmlIPAM(ip, IPAMDeleteInProgress)}, nil
}

type xmlDiscoveryFailure struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type xmlDiscoveredAccount struct {
	AccountID                   string               `xml:"accountId"`
	DiscoveryRegion             string               `xml:"discoveryRegion"`
	FailureReason               *xmlDiscoveryFailure `xml:"failureReason,omitempty"`
	LastAttemptedDiscoveryTime  isoMilli             `xml:"lastAttemptedDiscoveryTime"`
	LastSuccessfulDiscoveryTime *isoMilli            `xml:"lastSuccessfulDiscoveryTime,omitempty"`
	OrganizationalUnitID        string               `xml:"organizationalUnitId,omitempty"`
}

type discoveredAccountsResult struct {
	ec2Base
	Accounts  []xmlDiscoveredAccount `xml:"ipamDiscoveredAccountSet>item"`
	NextToken string                 `xml:"nextToken,omitempty"`
}

// discoveredPageSize is GetIpamDiscoveredAccounts' page without MaxResults.
// Assumption (docs/emulator.md#discovery): AWS does not document it; the
// largest MaxResults allowed.
const discoveredPageSize = 1000

func (e *Emulator) getIpamDiscoveredAccounts(c *call) (any, *apiError) {
	id, region := c.form.Get("IpamResourceDiscoveryId"), c.form.Get("DiscoveryRegion")
	switch {
	case id == "":
		return nil, ec2Missing("IpamResourceDiscoveryId")
	case region == "":
		return nil, ec2Missing("DiscoveryRegion")
	case len(formIndexes(c.form, "Filter")) > 0:
		// Assumption (docs/emulator.md#discovery): the filters of this
		// operation are undocumented; the emulator supports none.
		return nil, ec2InvalidParameter("The emulator supports no filter on GetIpamDiscoveredAccounts.")
	}
	size, ae := ec2MaxResults(c.form, discoveredPageSize)
	if ae != nil {
		return nil, ae
	}
	rd := e.ownDiscovery(c, id)
	if rd == nil {
		return nil, discoveryNotFound(id)
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	out := &discoveredAccountsResult{Accounts: []xmlDiscoveredAccount{}}
	if !slices.Contains(rd.operating, region) {
		// Assumption (docs/emulator.md#discovery): IPAM discovers nothing
		// outside its operating Regions.
		return out, nil
	}
	accounts, ownerOnly := e.discoveryScope(rd)
	if ownerOnly {
		var acct *account
		if e.m.org != nil {
			acct = e.m.org.byID[rd.owner]
		}
		if d, ok := e.discover(rd.readyAt(), acct, rd.owner, region, c.now); ok {
			out.Accounts = append(out.Accounts, xmlDiscovered(d, region))
		}
		return out, nil
	}
	// Assumption (docs/emulator.md#exclusions): an excluded account drops
	// out of the list, one discovery lag after its exclusion.
	excluded := e.excluder(rd, c.now.Add(-e.discoveryLag))
	// Pages walk the organization's account list directly, so that one
	// page costs its size, not the organization's.
	start, _, _, ae := ec2Page(c.form, c.op.name+"/"+id+"/"+region, len(accounts), 0)
	if ae != nil {
		return nil, ae
	}
	i := start
	for ; i < len(accounts) && len(out.Accounts) < size; i++ {
		a := accounts[i]
		if a.status != StatusActive || excluded(a) {
			continue
		}
		d, ok := e.discover(rd.readyAt(), a, a.id, region, c.now)
		if !ok {
			// Not discovered yet: nothing is, the IPAM is too new.
			return out, nil
		}
		out.Accounts = append(out.Accounts, xmlDiscovered(d, region))
	}
	if i < len(accounts) {
		out.NextToken = ec2Token(c.op.name+"/"+id+"/"+region, i)
	}
	return out, nil
}

func xmlDiscovered(d discovered, region string) xmlDiscoveredAccount {
	x := xmlDiscoveredAccount{
		AccountID:                  d.accountID,
		DiscoveryRegion:            region,
		LastAttemptedDiscoveryTime: isoMilli(d.attempted),
		OrganizationalUnitID:       d.ouID,
	}
	if d.failure != nil {
		x.FailureReason = &xmlDiscoveryFailure{Code: d.failure.code, Message: d.failure.message}
	} else {
		t := isoMilli(d.lastSuccess)
		x.LastSuccessfulDiscoveryTime = &t
	}
	return x
}

type xmlRegion struct {
	RegionName  string `xml:"regionName"`
	Endpoint    string `xml:"regionEndpoint"`
	OptInStatus string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	ec2Base
	Regions []xmlRegion `xml:"regionInfo>item"`
}

var regionFilters = map[string]func(r xmlRegion) string{
	"region-name":   func(r xmlRegion) string { return r.RegionName },
	"endpoint":      func(r xmlRegion) string { return r.Endpoint },
	"opt-in-status": func(r xmlRegion) string { return r.OptInStatus },
}

func (e *Emulator) describeRegions(c *call) (any, *apiError) {
	filters, ae := ec2Filters(c.form, func(n string) bool { _, ok := regionFilters[n]; return ok })
	if ae != nil {
		return nil, ae
	}
	all, ae := ec2Bool(c.form, "AllRegions")
	if ae != nil {
		return nil, ae
	}
	names := formList(c.form, "RegionName")
	for _, n := range names {
		if !isEnabledRegion(n) && !isOptInRegion(n) {
			return nil, ec2InvalidParameter("Invalid region: %s", truncate(n, 32))
		}
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	var rs []xmlRegion
	for _, r := range enabledRegions {
		rs = append(rs, xmlRegion{r, "ec2." + r + ".amazonaws.com", "opt-in-not-required"})
	}
	// Named Regions are listed whether enabled or not, as EC2 does.
	if all || len(names) > 0 {
		for _, r := range optInRegions {
			rs = append(rs, xmlRegion{r, "ec2." + r + ".amazonaws.com", "not-opted-in"})
		}
	}
	out := &describeRegionsResult{Regions: []xmlRegion{}}
	for _, r := range rs {
		if len(names) > 0 && !slices.Contains(names, r.RegionName) {
			continue
		}
		ok := true
		for _, f := range filters {
			ok = ok && f.match(regionFilters[f.name](r))
		}
		if ok {
			out.Regions = append(out.Regions, r)
		}
	}
	return out, nil
}
