// Package sdk is the root of a Go library that integrates Amazon VPC IP
// Address Manager (IPAM) with AWS Organizations, and tears the integration
// down again, safely.
//
// One delegated administrator account can run IPAM for every account of an
// organization. Getting there has sharp edges: only the management account
// may act; trusted access for ipam.amazonaws.com may be granted only through
// ec2:EnableIpamOrganizationAdminAccount, never through Organizations'
// EnableAWSServiceAccess; there is one administrator per organization; the
// teardown has a fixed order; and every read is eventually consistent. This
// module models that lifecycle as a finite state machine
// (none → trusted → delegated → disabled → none) and moves an organization
// along it with guards before every write, retries, waits for consistency
// and typed errors.
//
// # Packages
//
//   - [github.com/ipamorg/sdk/ipamorg]: the public API. Observe where an
//     organization stands, Plan a move, Apply or Reconcile it.
//   - [github.com/ipamorg/sdk/fsm]: the lifecycle itself, with no AWS in it.
//   - [github.com/ipamorg/sdk/awsclient]: the narrow AWS client interfaces
//     the library calls; awsclient/mocks holds gomock mocks of them.
//   - [github.com/ipamorg/sdk/awsclient/awstest]: a local AWS emulator that
//     real AWS clients (the SDK, the AWS CLI) can talk to.
//
// # Usage
//
//	cfg, _ := config.LoadDefaultConfig(ctx) // the management account
//	c, _ := ipamorg.NewFromConfig(cfg)
//	st, _ := c.Observe(ctx)                 // st.State: none, trusted, delegated, disabled (or unknown)
//	res, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"})
//	if errors.Is(err, ipamorg.ErrDelegatedAdminConflict) { /* another account is the admin */ }
package sdk
