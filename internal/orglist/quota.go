package orglist

import (
	"fmt"

	"github.com/ipamorg/sdk/internal/awscall"
)

// Organizations' quotas on an organization's tree (docs/aws-behaviour.md,
// "Organizations' quotas"): a tree listed beyond them is no organization
// AWS keeps, and the listing ends there rather than follow it.
const (
	// maxOUs is the quota of OUs per organization.
	maxOUs = 2_000
	// maxOUDepth is the quota of nesting: OUs at most five levels below
	// the root.
	maxOUDepth = 5
)

// ErrBeyondQuota: Organizations listed a tree beyond its own quotas (more
// OUs than an organization may have, or OUs nested deeper than it
// allows). It wraps awscall.ErrInvalidResponse, which package ipamorg
// exports as ErrInvalidResponse: an answer outside the service's
// contract.
var ErrBeyondQuota = fmt.Errorf("%w: the organization's tree is beyond organizations' quotas", awscall.ErrInvalidResponse)

// quotaError is ErrBeyondQuota for what action listed.
type quotaError struct{ action, what string }

func (e *quotaError) Error() string { return e.action + " listed " + e.what }
func (e *quotaError) Unwrap() error { return ErrBeyondQuota }

// checkQuotas returns the error for the n-th OU of a listing found depth
// levels below the root, if either is beyond Organizations' quotas.
func checkQuotas(action string, n, depth int) error {
	switch {
	case depth > maxOUDepth:
		return &quotaError{action, fmt.Sprintf("an organizational unit %d levels below the root, where organizations nests them at most %d deep", depth, maxOUDepth)}
	case n > maxOUs:
		return &quotaError{action, fmt.Sprintf("more than %d organizational units, organizations' quota per organization", maxOUs)}
	}
	return nil
}
