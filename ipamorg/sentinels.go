package ipamorg

import "github.com/ipamorg/sdk/fsm"

// Sentinel is one category of the errors the package returns: the
// sentinel to match with errors.Is, and its name for programs that report
// errors by name (ipamorgctl's JSON errors, say).
type Sentinel struct {
	// Name is the sentinel's package-qualified Go name, e.g.
	// "ipamorg.ErrStalePlan".
	Name string
	Err  error
}

// Sentinels returns every sentinel the package's errors match: its own
// Err… variables, then fsm.ErrInvalidTransition, which the explicit
// transition methods return. Each call returns a new slice, in the order
// of the declarations. TestSentinelsAreComplete fails when an exported
// Err… variable of package ipamorg or fsm is missing here.
func Sentinels() []Sentinel {
	return []Sentinel{
		{"ipamorg.ErrNotManagementAccount", ErrNotManagementAccount},
		{"ipamorg.ErrOrganizationNotFound", ErrOrganizationNotFound},
		{"ipamorg.ErrAllFeaturesRequired", ErrAllFeaturesRequired},
		{"ipamorg.ErrInvalidAccountID", ErrInvalidAccountID},
		{"ipamorg.ErrAccountNotInOrganization", ErrAccountNotInOrganization},
		{"ipamorg.ErrManagementAccountAsDelegate", ErrManagementAccountAsDelegate},
		{"ipamorg.ErrDelegatedAdminConflict", ErrDelegatedAdminConflict},
		{"ipamorg.ErrTrustedAccessRequiresDelegation", ErrTrustedAccessRequiresDelegation},
		{"ipamorg.ErrAccessDenied", ErrAccessDenied},
		{"ipamorg.ErrWaitTimeout", ErrWaitTimeout},
		{"ipamorg.ErrStalePlan", ErrStalePlan},
		{"ipamorg.ErrInvalidOptions", ErrInvalidOptions},
		{"ipamorg.ErrInvalidDesired", ErrInvalidDesired},
		{"ipamorg.ErrServiceLinkedRoleDeletionFailed", ErrServiceLinkedRoleDeletionFailed},
		{"ipamorg.ErrNoDelegatedAdmin", ErrNoDelegatedAdmin},
		{"ipamorg.ErrAdminUnreachable", ErrAdminUnreachable},
		{"ipamorg.ErrNoIPAM", ErrNoIPAM},
		{"ipamorg.ErrIPAMResourcesExist", ErrIPAMResourcesExist},
		{"ipamorg.ErrIntegrationActive", ErrIntegrationActive},
		{"ipamorg.ErrAnomaly", ErrAnomaly},
		{"ipamorg.ErrInvalidResponse", ErrInvalidResponse},
		{"ipamorg.ErrWriteFailed", ErrWriteFailed},
		{"ipamorg.ErrInvalidParameter", ErrInvalidParameter},
		{"ipamorg.ErrMovedElsewhere", ErrMovedElsewhere},
		{"fsm.ErrInvalidTransition", fsm.ErrInvalidTransition},
	}
}
