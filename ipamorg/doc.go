// Package ipamorg observes and changes the integration between Amazon VPC IP
// Address Manager (IPAM) and AWS Organizations: whether trusted access for
// ipam.amazonaws.com is enabled, which member account is IPAM's delegated
// administrator, and whether the AWSServiceRoleForIPAM service-linked role
// is in the management account.
//
// # Lifecycle
//
// The integration is in one of four states of package fsm: none, trusted,
// delegated and disabled. Observe reads AWS and recognises the state
// (fsm.StateUnknown when the reads that decide it were denied to the
// caller); Plan asks fsm.Path for the events from there to a Desired state
// and turns each into a Step; Apply runs each step as guard → AWS call →
// wait until a read confirms it → transition on an fsm.Machine, whose
// callback reports it to Options.OnTransition. Reconcile is Plan and Apply
// in one, level-based and idempotent. For scripts, Delegate,
// RemoveDelegate, DisableTrustedAccess and DeleteServiceLinkedRole take
// one step each. What each event does in AWS is one row of the package's
// table of events (docs/architecture.md in the repository).
//
// Trusted access for IPAM can be granted only by designating an
// administrator (ec2:EnableIpamOrganizationAdminAccount); the package never
// calls organizations:EnableAWSServiceAccess, and refuses a desired state
// that would need it (ErrTrustedAccessRequiresDelegation).
//
// # Usage
//
//	cfg, err := config.LoadDefaultConfig(ctx) // management account
//	c, err := ipamorg.NewFromConfig(cfg)
//	p, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "111122223333"})
//	fmt.Print(p) // review
//	res, err := c.Apply(ctx, p)
//	if errors.Is(err, ipamorg.ErrStalePlan) { /* plan again */ }
//
// # Errors
//
// Every error is an *Error naming the operation, the Step and account, and
// how far a multi-step operation got: Done (confirmed), Unconfirmed (sent,
// perhaps applied, not confirmed by a read) and NotDone. It unwraps to a
// sentinel of this package (or fsm.ErrInvalidTransition), matched with
// errors.Is, and to its cause, typically an AWS SDK error reachable with
// errors.As. Guards run before any write, so the guard sentinels
// (ErrNotManagementAccount, ErrAnomaly, ErrAllFeaturesRequired,
// ErrInvalidAccountID, ErrAccountNotInOrganization,
// ErrManagementAccountAsDelegate, ErrDelegatedAdminConflict,
// ErrTrustedAccessRequiresDelegation, ErrIPAMResourcesExist,
// ErrAdminUnreachable) mean nothing was written. IsTerminal tells whether
// retrying can help.
//
// # Warnings
//
// Observe reports what it finds amiss as Warnings with a stable
// WarningCode (WarnWrongEnablePath, WarnPartialRead, ...): match codes, show
// messages. Warnings whose Anomaly method reports true are things AWS
// should not show (two administrators, say); every call that would write
// refuses with ErrAnomaly while one is reported.
//
// # Retries and waits
//
// The AWS SDK retries every call: throttling, server and connection errors,
// and, for this package's calls, ConcurrentModificationException, as
// RetryOptions say (attempts and backoff of the SDK's retryer). The package
// adds no retries of its own but one: when every answer of a write was
// lost, it looks whether the write was applied before sending it again.
// Organizations reads are eventually consistent, so every write is followed
// by polling until a read confirms it, as WaitOptions say; a confirmation
// that does not come in time is ErrWaitTimeout. A cancelled context returns
// at once with the context's error joined with the last AWS error.
//
// # Options
//
// Every function with options takes them as the AWS SDK does: functional
// options, optFns ...func(*XOptions), that fill in a struct from its zero
// value (Options for New, VerifyOptions, RemoveOptions, PolicyOptions); a
// zero field takes its default:
//
//	c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Repair = true })
//
// # Fleet verification
//
// After delegation IPAM needs AWSServiceRoleForIPAM in every member account;
// where it is missing, IPAM silently cannot monitor that account.
// VerifyServiceLinkedRoles assumes a role (OrganizationAccountAccessRole by
// default, Options.AccessRole) in every ACTIVE account, checks the
// service-linked role and, with VerifyOptions.Repair, creates it where it is
// missing, with bounded concurrency and a rate limit.
//
// # Monitoring
//
// "Delegated" is Organizations' bookkeeping; what a platform team wants is
// that IPAM monitors every account. Monitoring reads what IPAM itself sees,
// in the delegated administrator's account (reached by assuming
// Options.AccessRole): its IPAMs in every enabled Region and, for the
// organization-wide ones, each ACTIVE account's discovery in each
// operating Region, with warnings that say how to fix what is not
// monitored. WaitMonitored polls it until Complete, which is what a
// pipeline runs after delegating and creating the IPAM.
//
// Every step that removes the administrator first reads its IPAMs and
// refuses while any exists (ErrIPAMResourcesExist), as AWS's teardown order
// requires; the package never deletes an IPAM. A delegation made through
// Organizations, with no AWSServiceRoleForIPAM, is repaired by one step
// (fsm.EventRepairDelegation). After a teardown, VerifyOptions.Purge deletes
// the role left in the member accounts.
//
// # Permissions
//
// RequiredPolicies returns the least-privilege IAM policies for the
// operations a caller intends, one per account that needs one: the
// management account, the delegated administrator's, the members';
// RequiredPermissions the management account's for lifecycle events. The
// tests prove them against the emulator's IAM policy evaluation (see
// Policies).
//
// # Testing
//
// New takes awsclient.Clients, so the gomock mocks in awsclient/mocks or the
// emulator in awsclient/awstest can stand in for AWS.
package ipamorg
