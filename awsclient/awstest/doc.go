// Package awstest provides a local, wire-compatible emulator of the AWS
// APIs that IPAM's integration with AWS Organizations involves, in the
// spirit of net/http/httptest: the real AWS SDK clients, the AWS CLI or any
// other AWS client talk to it as they would to AWS.
//
// It serves, on one handler, four protocols (docs/emulator.md lists every
// operation with what it models):
//
//   - Organizations (awsJson1_1): DescribeOrganization, DescribeAccount,
//     ListAccounts, ListAWSServiceAccessForOrganization,
//     EnableAWSServiceAccess, DisableAWSServiceAccess,
//     ListDelegatedAdministrators, RegisterDelegatedAdministrator,
//     DeregisterDelegatedAdministrator, and the tree: ListRoots,
//     ListOrganizationalUnitsForParent, ListAccountsForParent, ListParents,
//     DescribeOrganizationalUnit;
//   - EC2 (ec2Query): EnableIpamOrganizationAdminAccount,
//     DisableIpamOrganizationAdminAccount, CreateIpam, DescribeIpams,
//     DeleteIpam, GetIpamDiscoveredAccounts, DescribeRegions, and the
//     resource discoveries, with their OU exclusions and associations:
//     CreateIpamResourceDiscovery, DescribeIpamResourceDiscoveries,
//     ModifyIpamResourceDiscovery, DeleteIpamResourceDiscovery,
//     AssociateIpamResourceDiscovery,
//     DescribeIpamResourceDiscoveryAssociations,
//     DisassociateIpamResourceDiscovery, all honouring DryRun, in
//     every Region that Regions lists;
//   - STS (awsQuery): GetCallerIdentity, AssumeRole;
//   - IAM (awsQuery): GetRole, CreateServiceLinkedRole,
//     DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus,
//     PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies.
//
// Requests are routed by X-Amz-Target, then by the service named in the
// SigV4 credential scope and the form's Action. Signatures are not
// checked: a long-term access key id that is a 12-digit account id is the
// caller's account (the LocalStack convention), so
//
//	AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
//	  aws --endpoint-url http://127.0.0.1:PORT organizations describe-organization
//
// acts as the management account of the default organization. AssumeRole
// returns temporary credentials of AWS's shape (an ASIA… key, valid only
// with its session token) that act as the role's session in its account.
//
// # The organization
//
// With no options the emulator holds DefaultOrganization: management
// account 111111111111, members 222222222222 and 333333333333, every
// account under the root, feature set ALL, IPAM not integrated.
// WithOrganization (nested OUs, suspended and invited members, trusted
// services, delegated admins), WithMembers, GenerateOrganizationTree,
// WithoutOrganization and WithScenario (a scenario file, see Scenario)
// start elsewhere, and WithIPAMs with IPAMs in place (IPAMSpec.Exclusions
// with OU exclusions).
// OrganizationAccountAccessRole exists in the members Organizations
// created, not in the management account nor in invited members.
//
// The behaviour follows AWS where AWS documents it: only the management
// account designates or removes the IPAM delegated administrator; one admin
// per organization; ec2:EnableIpamOrganizationAdminAccount grants trusted
// access and creates AWSServiceRoleForIPAM in the management account and
// every active member, while Organizations' own EnableAWSServiceAccess and
// RegisterDelegatedAdministrator create no role; an IPAM of the admin
// discovers every active account, with assume-role-failure where the role
// is missing, but those under its resource discovery's OU exclusions (never
// the admin itself); the role cannot be deleted while IPAM resources exist
// in its account. Where AWS is silent the code marks its choice with
// "Assumption (docs/emulator.md#…)", and that page gives the reason.
//
// # IAM policies
//
// Off by default, every authenticated call is allowed. WithIAMEnforcement
// (ipamorgctl serve --enforce-iam) evaluates identity policies as IAM
// does: an account's long-term key is its root user, unrestricted; an
// assumed role's session has its role's inline policies (PutRolePolicy,
// iam:PutRolePolicy, a scenario's "policies") intersected with its session
// policy; explicit Deny over Allow over implicit deny, with Action and
// Resource wildcards and the common condition operators and keys. Denials
// come in each service's shape (AccessDeniedException, UnauthorizedOperation,
// AccessDenied), EC2's DryRun included, and the audit log records the
// decision and the statement that made it (Request.Decision,
// Request.DecidingStatement, Request.Evaluations). What is and is not
// evaluated: docs/emulator.md#iam-enforcement.
//
// # Testing aids
//
//   - Eventual consistency: ServerOptions.Lag (and MemberRoleLag for member
//     accounts' roles), changeable with SetLag, delay when writes show in
//     reads; guards always see the latest state. DiscoveryLag delays IPAM's
//     discovery and IPAMDelay its create and delete transitions.
//   - Faults: InjectFault answers chosen operations with throttling, server
//     errors, ConcurrentModificationException, latency or dropped
//     connections, by count or seeded probability, with each service's
//     modeled HTTP status; faulted requests change nothing, unless the
//     fault is Applied: then the operation runs and only its answer is
//     lost, delayed or replaced.
//   - Audit: Requests and Writes list every request with its caller,
//     service, operation, IAM action, write and dry-run flags and result,
//     so a test can assert that no write was attempted.
//   - Snapshot returns the latest state, ignoring lag; RemoveRole,
//     DeleteIPAMRole, PutRole, SetTrustedAccess, SetDelegatedAdmins,
//     PutIPAM, RemoveIPAM, SetDiscoveryFailure and SetOUExclusions set it
//     directly, and Reset returns to the start. OUEntityPath gives an
//     OU's entity path, as exclusions name it.
//   - Recording: Record wraps the emulator (or any handler) and writes
//     each AWS request with its answer as a JSON line (Exchange), without
//     credentials, so that what a tool sent can be sent again in a test
//     (docs/emulator.md#recording; serve --record FILE).
//   - The control plane under /_awstest/ (health, reset, audit, faults,
//     state, lag) does the same over HTTP with JSON, for clients in any
//     language (docs/emulator.md#control-plane).
//   - Web pages: the emulator has no authentication, so it refuses what a
//     page can make a browser send and no AWS client sends: a Host other
//     than the address served or localhost with its port, requests from
//     browsers, credentials in the query string, methods other than POST,
//     control-plane bodies other than JSON (docs/emulator.md#refused;
//     ServerOptions.AllowedHosts and AllowBrowserOrigin let some in).
//
// # Without sockets
//
// An Emulator (New) is an http.Handler that any server can mount, e.g. a
// standalone "serve" command. Its HTTPClient and Config reach it in memory,
// which is what tests need inside testing/synctest bubbles, where real
// sockets do not work; time.Now there is fake, so lag and latency cost no
// wall-clock time.
//
//	func TestLag(t *testing.T) {
//		synctest.Test(t, func(t *testing.T) {
//			emu := awstest.New(awstest.WithLag(30*time.Second, 0))
//			org := organizations.NewFromConfig(emu.Config(t.Context(), "111111111111"))
//			// ... write, then time.Sleep(30 * time.Second) in the bubble ...
//		})
//	}
package awstest
