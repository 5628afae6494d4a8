package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"
)

// A resource's physical id names the organization it acts in, whether it
// created IPAM's integration there or adopted one it found, and which
// resource it is:
//
//	o-exampleorgid/ipam-delegated-admin/created/<owner>
//	o-exampleorgid/ipam-delegated-admin/adopted/<owner>
//
// where <owner> is ownerToken of the resource's stack and logical id. Two
// resources (two stacks in one organization, say) never share one, so that
// CloudFormation never takes one resource's Delete for another's. It is
// computed from the Create event alone, so that a retry of the Create
// (same RequestId) reports the same id as the attempt before it, and it is
// fixed at Create: an Update that returned another id would make
// CloudFormation delete the old one (or, in a rollback, the new one), and
// the organization has only the one integration.
const physicalTag = "ipam-delegated-admin"

// ownership is what a resource's Create found and did: the integration it
// stands for is either its own (created), or one that it found and took
// over because AdoptExisting said so (adopted). Only a created one is torn
// down when the resource is deleted.
type ownership string

const (
	created ownership = "created"
	adopted ownership = "adopted"
	// unrecorded is the ownership of the physical id an earlier version of
	// the handler made ("<organization id>/ipam-delegated-admin"), which
	// was the same whether it created the integration or found it.
	unrecorded ownership = "unrecorded"
)

// physicalID is a physical id this handler made, parsed.
type physicalID struct {
	org   string
	own   ownership
	owner string // "" when own is unrecorded
}

func (p physicalID) String() string {
	if p.own == unrecorded {
		return p.org + "/" + physicalTag
	}
	return p.org + "/" + physicalTag + "/" + string(p.own) + "/" + p.owner
}

// ownerToken identifies one resource: its stack (whose id is unique, and
// new for a stack created again under the same name) and its logical id
// there. It is a hash so that the physical id stays short, and wide
// enough (128 bits) that two resources never share one.
func ownerToken(ev *cfn.Event) string {
	sum := sha256.Sum256([]byte(ev.StackID + "\x00" + ev.LogicalResourceID))
	return hex.EncodeToString(sum[:16])
}

// parsePhysicalID parses a physical id this handler made. It returns false
// for any other id: the RequestId a Create that wrote nothing reports.
func parsePhysicalID(id string) (physicalID, bool) {
	parts := strings.Split(id, "/")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "o-") || parts[1] != physicalTag {
		return physicalID{}, false
	}
	switch {
	case len(parts) == 2:
		return physicalID{org: parts[0], own: unrecorded}, true
	case len(parts) == 4 && (ownership(parts[2]) == created || ownership(parts[2]) == adopted) && isOwnerToken(parts[3]):
		return physicalID{org: parts[0], own: ownership(parts[2]), owner: parts[3]}, true
	}
	return physicalID{}, false
}

func isOwnerToken(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 16 && strings.ToLower(s) == s
}
