package ipamorg

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/ipamorg/sdk/internal/awscall"
	"github.com/ipamorg/sdk/internal/orglist"
)

// OU exclusions (IPAM User Guide, "Exclude organizational units from
// IPAM"; see docs/monitoring.md): an Organizations entity path, the
// organization's id, the root's and OU ids from the root down, each
// followed by "/", excludes the accounts directly in its last OU
// ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"); ending with "/*" instead,
// that OU's and those of every OU below it. The delegated administrator
// is never excluded. Where each account is comes from the listing's tree
// (orglist.Account.Path), never from a call per account.

// The warning codes of OU exclusions.
const (
	// WarnExclusionMatchesNoOU: an OU exclusion of a resource discovery
	// names no OU of the organization (a typo, an OU deleted or moved,
	// another organization's id): it excludes nothing.
	WarnExclusionMatchesNoOU WarningCode = "exclusion-matches-no-ou"
	// WarnExclusionCoversAdmin: an OU exclusion covers the delegated
	// administrator's account, which IPAM never excludes: it stays
	// monitored, and required.
	WarnExclusionCoversAdmin WarningCode = "exclusion-covers-admin"
	// WarnExclusionsLeaveNoAccount: the OU exclusions exclude every
	// ACTIVE account but the delegated administrator's, so IPAM monitors
	// that one account only.
	WarnExclusionsLeaveNoAccount WarningCode = "exclusions-leave-no-account"
	// WarnExclusionsUnreadable: the resource discoveries of an IPAM
	// could not be read (ec2:DescribeIpamResourceDiscoveries or
	// DescribeIpamResourceDiscoveryAssociations denied in the
	// administrator's account), so its OU exclusions are unknown: no
	// account is taken for excluded, and only its default resource
	// discovery is read.
	WarnExclusionsUnreadable WarningCode = "exclusions-unreadable"
	// WarnExclusionsUnplaced: OU exclusions exist but the organization's
	// tree could not be read (organizations:ListRoots,
	// ListOrganizationalUnitsForParent or ListAccountsForParent denied),
	// or not whole (an OU listed without an id, WarnOUWithoutID), so no
	// account is taken for excluded: those IPAM does not report stay
	// pending, and Complete false while they do.
	WarnExclusionsUnplaced WarningCode = "exclusions-unplaced"
)

// maxPathInMessage is the most of an exclusion's path a message quotes.
const maxPathInMessage = 256

// resourceDiscoveryActions are the reads of the OU exclusions (those of
// the tree, which places accounts under them, are orglist.TreeActions).
var resourceDiscoveryActions = []string{"ec2:DescribeIpamResourceDiscoveries", "ec2:DescribeIpamResourceDiscoveryAssociations"}

// placement is where the organization's accounts are, as the listing
// read it.
type placement struct {
	orgID string
	org   orglist.Listed
	ous   map[string]bool // org.OUs
}

func newPlacement(orgID string, org orglist.Listed) *placement {
	p := &placement{orgID: orgID, org: org, ous: make(map[string]bool, len(org.OUs))}
	for _, ou := range org.OUs {
		p.ous[ou] = true
	}
	return p
}

// exclusion is one OU exclusion resolved against the tree.
type exclusion struct {
	path string // as EC2 returns it
	// ou is the path of the OU it names within the organization
	// ("r-…/ou-…/", as orglist.Account.Path writes it); "" when it names
	// no OU of the tree read.
	ou      string
	subtree bool // the path ends with "/*"
}

// resolve resolves an entity path: it names an OU when it is the
// organization's id followed by an OU's path as the listing read it,
// then nothing or "*".
func (p *placement) resolve(path string) exclusion {
	x := exclusion{path: path}
	rest, subtree := strings.CutSuffix(path, "*")
	org, ou, ok := strings.Cut(rest, "/")
	if !ok || !strings.HasSuffix(ou, "/") || org != p.orgID || !p.ous[ou] {
		return x
	}
	x.ou, x.subtree = ou, subtree
	return x
}

// excludes reports whether x excludes an account whose parent is at path.
func (x exclusion) excludes(path string) bool {
	switch {
	case x.ou == "":
		return false
	case x.subtree:
		return strings.HasPrefix(path, x.ou)
	}
	return path == x.ou
}

// excludedBy returns, for each of rds, its exclusions resolved against p
// (nil where p cannot place accounts: see placement.placed).
func excludedBy(p *placement, rds []*resourceDiscovery) [][]exclusion {
	out := make([][]exclusion, len(rds))
	if !p.placed() {
		return out
	}
	for i, d := range rds {
		for _, path := range d.exclusions {
			out[i] = append(out[i], p.resolve(path))
		}
	}
	return out
}

// placed reports whether every account's place in the tree is known.
func (p *placement) placed() bool { return p.org.Placed }

// excludes reports whether any of xs excludes an account at path.
func excludes(xs []exclusion, path string) bool {
	return slices.ContainsFunc(xs, func(x exclusion) bool { return x.excludes(path) })
}

// exclusionWarnings returns the warnings about the OU exclusions of the
// administrator's resource discoveries among rds (resolved against the
// tree as resolved), the administrator's account being at adminPath:
// exclusions that match no OU or cover the administrator, resource
// discoveries that could not be read, exclusions that cannot be applied
// for want of the tree, and exclusions of every account of m but the
// administrator's.
func exclusionWarnings(m *Monitoring, p *placement, rds []*resourceDiscovery, resolved [][]exclusion, adminPath string) []Warning {
	var ws []Warning
	n := 0
	for i, d := range rds {
		if !d.covers(m.AdminAccountID) || len(d.exclusions) == 0 {
			continue
		}
		n += len(d.exclusions)
		for _, x := range resolved[i] {
			fix := fmt.Sprintf("aws ec2 modify-ipam-resource-discovery --ipam-resource-discovery-id %s --remove-organizational-unit-exclusions OrganizationsEntityPath=%s --region %s",
				d.id, awscall.Truncate(x.path, maxPathInMessage), d.region)
			switch {
			case x.ou == "":
				ws = append(ws, Warning{WarnExclusionMatchesNoOU, fmt.Sprintf("exclusion %q of resource discovery %s names no OU of organization %s "+
					"(a typo, an OU deleted or moved, another organization's id), so it excludes nothing: correct it, or remove it (%s)",
					awscall.Truncate(x.path, maxPathInMessage), d.id, orNone(p.orgID), fix)})
			case x.excludes(adminPath):
				ws = append(ws, Warning{WarnExclusionCoversAdmin, fmt.Sprintf("exclusion %q of resource discovery %s covers the delegated administrator %s, "+
					"which ipam never excludes: it stays monitored, and required; to say so in the configuration, exclude the OUs around it instead",
					awscall.Truncate(x.path, maxPathInMessage), d.id, m.AdminAccountID)})
			}
		}
	}
	var unread []string
	var denied error
	for _, d := range rds {
		if d.unread != nil && !slices.Contains(unread, d.region) {
			unread = append(unread, d.region)
			denied = d.unread
		}
	}
	if len(unread) > 0 {
		ws = append(ws, Warning{WarnExclusionsUnreadable, fmt.Sprintf("the resource discoveries of the ipams in %s cannot be read (%s), "+
			"so their OU exclusions are unknown: no account is taken for excluded, and those ipam does not report stay pending; "+
			"allow %s to the access role in the delegated administrator's account (see RequiredPolicies)",
			strings.Join(unread, ", "), denial(denied, "ec2", "the call was denied"), strings.Join(resourceDiscoveryActions, ", "))})
	}
	switch {
	case n == 0 || p.placed():
	case p.org.TreeDenied != nil:
		ws = append(ws, Warning{WarnExclusionsUnplaced, fmt.Sprintf("the ipams' resource discoveries have %d OU exclusion(s), but reading the organization's tree failed (aws denied %s), "+
			"so no account is taken for excluded and those ipam does not report stay pending: allow %s to the caller",
			n, strings.Join(p.org.TreeDenied, " and "), strings.Join(orglist.TreeActions, ", "))})
	default: // an OU listed without an id: the tree is not whole
		ws = append(ws, Warning{WarnExclusionsUnplaced, fmt.Sprintf("the ipams' resource discoveries have %d OU exclusion(s), but the organization's tree was not read whole "+
			"(an OU was listed without an id, see warning %s), so no account is taken for excluded and those ipam does not report stay pending",
			n, WarnOUWithoutID)})
	}
	var others []DiscoveredAccount
	allExcluded := true
	for _, a := range m.Accounts {
		if a.AccountID != m.AdminAccountID {
			others = append(others, a)
			allExcluded = allExcluded && a.Excluded
		}
	}
	if len(others) > 0 && allExcluded {
		ws = append(ws, Warning{WarnExclusionsLeaveNoAccount, fmt.Sprintf("the OU exclusions exclude every active account (%d) but the delegated administrator %s, "+
			"so ipam monitors that one account only: remove the exclusions that should not be there (see the ipams' exclusions)",
			countAccounts(others), m.AdminAccountID)})
	}
	return ws
}

// denial says which call err, a refusal, denied: "service:Operation
// was denied", or otherwise when the SDK does not say.
func denial(err error, service, otherwise string) string {
	var op *smithy.OperationError
	if errors.As(err, &op) && op.OperationName != "" {
		return fmt.Sprintf("%s:%s was denied", service, op.OperationName)
	}
	return otherwise
}

// countAccounts is the number of distinct accounts among as.
func countAccounts(as []DiscoveredAccount) int {
	n := 0
	for i, a := range as {
		if i == 0 || as[i-1].AccountID != a.AccountID {
			n++
		}
	}
	return n
}
