package main

import (
	"errors"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// sentinels names every sentinel error of packages ipamorg and fsm, for
// the "sentinel" field of JSON errors. TestSentinelTableIsComplete fails
// when ipamorg or fsm exports an Err… variable that is missing here.
var sentinels = []struct {
	name string
	err  error
}{
	{"ipamorg.ErrNotManagementAccount", ipamorg.ErrNotManagementAccount},
	{"ipamorg.ErrOrganizationNotFound", ipamorg.ErrOrganizationNotFound},
	{"ipamorg.ErrAllFeaturesRequired", ipamorg.ErrAllFeaturesRequired},
	{"ipamorg.ErrInvalidAccountID", ipamorg.ErrInvalidAccountID},
	{"ipamorg.ErrAccountNotInOrganization", ipamorg.ErrAccountNotInOrganization},
	{"ipamorg.ErrManagementAccountAsDelegate", ipamorg.ErrManagementAccountAsDelegate},
	{"ipamorg.ErrDelegatedAdminConflict", ipamorg.ErrDelegatedAdminConflict},
	{"ipamorg.ErrTrustedAccessRequiresDelegation", ipamorg.ErrTrustedAccessRequiresDelegation},
	{"ipamorg.ErrAccessDenied", ipamorg.ErrAccessDenied},
	{"ipamorg.ErrWaitTimeout", ipamorg.ErrWaitTimeout},
	{"ipamorg.ErrStalePlan", ipamorg.ErrStalePlan},
	{"ipamorg.ErrMovedElsewhere", ipamorg.ErrMovedElsewhere},
	{"ipamorg.ErrInvalidOptions", ipamorg.ErrInvalidOptions},
	{"ipamorg.ErrInvalidDesired", ipamorg.ErrInvalidDesired},
	{"ipamorg.ErrServiceLinkedRoleDeletionFailed", ipamorg.ErrServiceLinkedRoleDeletionFailed},
	{"ipamorg.ErrNoDelegatedAdmin", ipamorg.ErrNoDelegatedAdmin},
	{"ipamorg.ErrAnomaly", ipamorg.ErrAnomaly},
	{"ipamorg.ErrInvalidResponse", ipamorg.ErrInvalidResponse},
	{"ipamorg.ErrWriteFailed", ipamorg.ErrWriteFailed},
	{"ipamorg.ErrInvalidParameter", ipamorg.ErrInvalidParameter},
	{"ipamorg.ErrAdminUnreachable", ipamorg.ErrAdminUnreachable},
	{"ipamorg.ErrNoIPAM", ipamorg.ErrNoIPAM},
	{"ipamorg.ErrIPAMResourcesExist", ipamorg.ErrIPAMResourcesExist},
	{"ipamorg.ErrIntegrationActive", ipamorg.ErrIntegrationActive},
	{"fsm.ErrInvalidTransition", fsm.ErrInvalidTransition},
}

// sentinelName returns the name of the sentinel err matches, or "". The
// Kind of an *ipamorg.Error decides first: it is the error's category,
// while its cause may match another sentinel too.
func sentinelName(err error) string {
	var e *ipamorg.Error
	if errors.As(err, &e) && e.Kind != nil {
		for _, s := range sentinels {
			if e.Kind == s.err {
				return s.name
			}
		}
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return ""
}
