package awstest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxAssociationsPerIPAM is IPAM's default quota of resource discovery
// associations per IPAM (IPAM User Guide, "Quotas for your IPAM").
// Assumption (docs/emulator.md#resource-discoveries): the default
// association counts.
const maxAssociationsPerIPAM = 5

type xmlDiscoveryAssociation struct {
	OwnerID                             string    `xml:"ownerId"`
	IpamResourceDiscoveryAssociationID  string    `xml:"ipamResourceDiscoveryAssociationId"`
	IpamResourceDiscoveryAssociationArn string    `xml:"ipamResourceDiscoveryAssociationArn"`
	IpamResourceDiscoveryID             string    `xml:"ipamResourceDiscoveryId"`
	IpamID                              string    `xml:"ipamId"`
	IpamArn                             string    `xml:"ipamArn"`
	IpamRegion                          string    `xml:"ipamRegion"`
	IsDefault                           bool      `xml:"isDefault"`
	ResourceDiscoveryStatus             string    `xml:"resourceDiscoveryStatus"`
	State                               string    `xml:"state"`
	Tags                                xmlTagSet `xml:"tagSet"`
}

func xmlAssociation(a *assocRes, state string) xmlDiscoveryAssociation {
	return xmlDiscoveryAssociation{
		OwnerID:                             a.owner,
		IpamResourceDiscoveryAssociationID:  a.id,
		IpamResourceDiscoveryAssociationArn: a.arn,
		IpamResourceDiscoveryID:             a.disco.id,
		IpamID:                              a.ipam.id,
		IpamArn:                             a.ipam.arn,
		IpamRegion:                          a.ipam.region,
		IsDefault:                           a.isDefault,
		// A resource discovery cannot be deleted while associated, and
		// sharing is not modeled: the connection is always intact.
		ResourceDiscoveryStatus: "active",
		State:                   state,
		Tags:                    tagSet(a.tags),
	}
}

type associationResult struct {
	ec2Base
	Association xmlDiscoveryAssociation `xml:"ipamResourceDiscoveryAssociation"`
}

type describeAssociationsResult struct {
	ec2Base
	Associations []xmlDiscoveryAssociation `xml:"ipamResourceDiscoveryAssociationSet>item"`
	NextToken    string                    `xml:"nextToken,omitempty"`
}

// ownAssociation returns the association id of one of the caller's IPAMs
// in the request's Region, existing at now.
func (e *Emulator) ownAssociation(c *call, id string) *assocRes {
	for _, a := range e.aliveAssociations(c.now, c.id.account, c.region) {
		if a.id == id {
			return a
		}
	}
	return nil
}

func associationNotFound(id string) *apiError {
	return ec2NotFound("InvalidIpamResourceDiscoveryAssociationId.NotFound", "ipam resource discovery association", id)
}

func (e *Emulator) associateIpamResourceDiscovery(c *call) (any, *apiError) {
	ipID, discoID := c.form.Get("IpamId"), c.form.Get("IpamResourceDiscoveryId")
	switch {
	case ipID == "":
		return nil, ec2Missing("IpamId")
	case discoID == "":
		return nil, ec2Missing("IpamResourceDiscoveryId")
	}
	tags, ae := ec2TagSpecs(c, "ipam-resource-discovery-association")
	if ae != nil {
		return nil, ae
	}
	ip := e.ownIPAM(c, ipID)
	if ip == nil {
		return nil, ec2NotFound("InvalidIpamId.NotFound", "ipam", ipID)
	}
	d := e.ownDiscovery(c, discoID)
	if d == nil {
		return nil, discoveryNotFound(discoID)
	}
	token := c.form.Get("ClientToken")
	var ofIPAM []*assocRes
	for _, a := range e.aliveAssociations(c.now, c.id.account, c.region) {
		if token != "" && a.clientToken == token {
			// Idempotency, as CreateIpam's.
			if c.dryRun {
				return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
			}
			return &associationResult{Association: xmlAssociation(a, a.stateAt(c.now))}, nil
		}
		if a.ipam == ip {
			ofIPAM = append(ofIPAM, a)
		}
	}
	switch {
	case ip.stateAt(c.now) == IPAMDeleteInProgress || d.stateAt(c.now) == IPAMDeleteInProgress:
		// Assumption (docs/emulator.md#resource-discoveries).
		return nil, errf(http.StatusBadRequest, "IncorrectState", "The IPAM %s or the resource discovery %s is being deleted.", ip.id, d.id)
	case slices.ContainsFunc(ofIPAM, func(a *assocRes) bool { return a.disco == d }):
		// Assumption (docs/emulator.md#resource-discoveries).
		return nil, ec2InvalidParameter("The resource discovery %s is already associated with %s.", d.id, ip.id)
	case len(ofIPAM) >= maxAssociationsPerIPAM:
		return nil, errf(http.StatusBadRequest, "ResourceLimitExceeded",
			"You have reached the maximum number of resource discovery associations (%d) for the IPAM %s.", maxAssociationsPerIPAM, ip.id)
	case c.dryRun:
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	e.collectDiscoveries(c.now)
	rd := &e.m.discoveries
	rd.seq++
	id := ipamID("ipam-res-disco-assoc", c.id.account, c.region+"/created", rd.seq)
	a := &assocRes{
		id:          id,
		arn:         associationARN(c.id.account, id),
		owner:       c.id.account,
		ipam:        ip,
		disco:       d,
		tags:        tags,
		clientToken: strings.Clone(token),
		ready:       c.now.Add(e.ipamDelay),
	}
	rd.assocs = append(rd.assocs, a)
	return &associationResult{Association: xmlAssociation(a, AssociateInProgress)}, nil
}

// Assumption (docs/emulator.md#resource-discoveries): EC2 documents no
// filter names for DescribeIpamResourceDiscoveryAssociations; the emulator
// takes these, and tag-key and tag:<key>.
var associationFilters = map[string]func(a *assocRes, state string) []string{
	"ipam-resource-discovery-association-id": func(a *assocRes, _ string) []string { return []string{a.id} },
	"ipam-resource-discovery-id":             func(a *assocRes, _ string) []string { return []string{a.disco.id} },
	"ipam-id":                                func(a *assocRes, _ string) []string { return []string{a.ipam.id} },
	"ipam-arn":                               func(a *assocRes, _ string) []string { return []string{a.ipam.arn} },
	"ipam-region":                            func(a *assocRes, _ string) []string { return []string{a.ipam.region} },
	"owner-id":                               func(a *assocRes, _ string) []string { return []string{a.owner} },
	"state":                                  func(_ *assocRes, state string) []string { return []string{state} },
	"is-default":                             func(a *assocRes, _ string) []string { return []string{strconv.FormatBool(a.isDefault)} },
	"resource-discovery-status":              func(*assocRes, string) []string { return []string{"active"} },
}

func (e *Emulator) describeIpamResourceDiscoveryAssociations(c *call) (any, *apiError) {
	filters, ae := ec2Filters(c.form, func(n string) bool { _, ok := associationFilters[n]; return ok || isTagFilter(n) })
	if ae != nil {
		return nil, ae
	}
	size, ae := ec2MaxResults(c.form, 0)
	if ae != nil {
		return nil, ae
	}
	ids := formList(c.form, "IpamResourceDiscoveryAssociationId")
	for _, id := range ids {
		if e.ownAssociation(c, id) == nil {
			return nil, associationNotFound(id)
		}
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	var match []xmlDiscoveryAssociation
	for _, a := range e.aliveAssociations(c.now, c.id.account, c.region) {
		state := a.stateAt(c.now)
		fields := func(name string) []string { return associationFilters[name](a, state) }
		if (len(ids) == 0 || slices.Contains(ids, a.id)) && ec2Match(filters, a.tags, fields) {
			match = append(match, xmlAssociation(a, state))
		}
	}
	start, end, next, ae := ec2Page(c.form, c.op.name+"/"+c.region, len(match), size)
	if ae != nil {
		return nil, ae
	}
	return &describeAssociationsResult{Associations: match[start:end], NextToken: next}, nil
}

func (e *Emulator) disassociateIpamResourceDiscovery(c *call) (any, *apiError) {
	id := c.form.Get("IpamResourceDiscoveryAssociationId")
	if id == "" {
		return nil, ec2Missing("IpamResourceDiscoveryAssociationId")
	}
	a := e.ownAssociation(c, id)
	switch {
	case a == nil:
		return nil, associationNotFound(id)
	case a.isDefault:
		// Assumption (docs/emulator.md#resource-discoveries): the default
		// association goes with its IPAM only.
		return nil, ec2InvalidParameter("The association %s is the default resource discovery association of %s: delete the IPAM instead.", a.id, a.ipam.id)
	case c.dryRun:
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	if !a.deleting {
		a.deleting, a.gone = true, c.now.Add(e.ipamDelay)
	}
	return &associationResult{Association: xmlAssociation(a, DisassociateInProgress)}, nil
}
