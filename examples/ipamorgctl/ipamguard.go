package main

import (
	"errors"
	"fmt"

	"github.com/ipamorg/sdk/ipamorg"
)

// ipamGuardError tells the refusals of the guard before removing the
// administrator in the CLI's terms: --allow-ipam-resources rather than
// Desired.AllowIPAMResources. Any other error is returned as it is.
func ipamGuardError(err error) error {
	var ire *ipamorg.IPAMResourcesError
	switch {
	case errors.As(err, &ire):
		return &flagError{err: err, msg: fmt.Sprintf(
			"the IPAM delegated administrator %s still owns IPAMs, which AWS's teardown order deletes first: %s; then run the command again, or pass --allow-ipam-resources to proceed anyway (nothing was written)",
			ire.Admin, ire.Describe())}
	case errors.Is(err, ipamorg.ErrAdminUnreachable):
		return &flagError{err: err, msg: err.Error() +
			"; without reading them nobody knows whether it still owns IPAMs: fix --role-name, or pass --allow-ipam-resources to proceed anyway (nothing was written)"}
	}
	return err
}
