package awstest

import (
	"net/http"
	"time"
)

// ec2SuccessResult is the result of both IPAM organization-admin calls.
type ec2SuccessResult struct {
	RequestID string `xml:"requestId"`
	Success   bool   `xml:"success"`
}

func (r *ec2SuccessResult) setRequestID(id string) { r.RequestID = id }

func ec2InvalidParameter(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

// ipamAdminCaller enforces who may designate or remove the IPAM admin, and
// returns the validated target account id.
func (e *Emulator) ipamAdminCaller(c *call) (string, *apiError) {
	if e.m.org == nil || !e.inOrg(c.id.account) {
		// Assumption (docs/emulator.md#ipam-admin): AWS does not document
		// EC2's answer for an account outside any organization;
		// OperationNotPermitted is EC2's generic refusal.
		return "", errf(http.StatusBadRequest, "OperationNotPermitted",
			"The account %s is not part of an AWS organization.", c.id.account)
	}
	if !e.isManagement(c.id.account) {
		// Assumption (docs/emulator.md#ipam-admin): a member account calling
		// the IPAM organization-admin APIs gets UnauthorizedOperation (403).
		return "", errf(http.StatusForbidden, "UnauthorizedOperation",
			"You are not authorized to perform this operation. Only the management account of the organization can manage the IPAM delegated administrator.")
	}
	target := c.form.Get("DelegatedAdminAccountId")
	switch {
	case target == "":
		return "", errf(http.StatusBadRequest, "MissingParameter",
			"The request must contain the parameter DelegatedAdminAccountId.")
	case !isAccountID(target):
		return "", ec2InvalidParameter("The value %q for parameter DelegatedAdminAccountId is invalid. It must be a 12-digit account ID.", truncate(target, 64))
	}
	return target, nil
}

func (e *Emulator) enableIpamAdmin(c *call) (any, *apiError) {
	target, ae := e.ipamAdminCaller(c)
	if ae != nil {
		return nil, ae
	}
	o := e.m.org
	acct := o.byID[target]
	switch admins := e.adminsLatest(IPAMServicePrincipal); {
	case target == o.mgmt.id:
		// Assumption (docs/emulator.md#ipam-admin): the management account
		// as the target is refused as an invalid parameter value.
		return nil, ec2InvalidParameter("The management account %s cannot be the IPAM delegated administrator.", target)
	case acct == nil:
		return nil, errf(http.StatusBadRequest, "IpamOrganizationAccountNotFound",
			"The account %s is not a member of your organization.", target)
	case o.featureSet != FeatureSetAll:
		// Assumption (docs/emulator.md#ipam-admin): trusted access needs all
		// features; EC2's code for it is undocumented.
		return nil, errf(http.StatusBadRequest, "OperationNotPermitted",
			"Trusted access for IPAM requires an organization with all features enabled.")
	case acct.status != StatusActive:
		// Assumption (docs/emulator.md#ipam-admin): a suspended member cannot
		// be the admin, as Organizations refuses to register one.
		return nil, ec2InvalidParameter("The account %s is suspended.", target)
	case len(admins) > 0 && admins[0] != target:
		return nil, errf(http.StatusBadRequest, "IpamOrganizationDelegatedAdminLimitExceeded",
			"Your organization already has an IPAM delegated administrator (%s). Disable it before you delegate another account.", admins[0])
	case c.dryRun:
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	// Assumption (docs/emulator.md#ipam-admin): designating the current
	// admin again succeeds; it creates whatever of the integration is
	// missing (trusted access, AWSServiceRoleForIPAM in an active account),
	// which is how users report repairing an admin registered through
	// Organizations instead of IPAM.
	e.integrateIPAM(c.now, target)
	return &ec2SuccessResult{Success: true}, nil
}

// integrateIPAM does what a successful EnableIpamOrganizationAdminAccount
// does (docs/emulator.md#ipam-admin): trusted access for IPAM, the
// delegated admin, and AWSServiceRoleForIPAM in the management account and
// every active member; whatever of it exists already stays as it is.
func (e *Emulator) integrateIPAM(now time.Time, admin string) {
	if !e.trustedOn(IPAMServicePrincipal) {
		e.setTrusted(now, IPAMServicePrincipal, true)
	}
	if e.ipamAdmin() != admin {
		e.setAdmin(now, IPAMServicePrincipal, admin, true)
	}
	created := e.dated(now)
	for _, a := range e.m.org.accounts {
		if a.status != StatusActive {
			continue
		}
		if _, has := e.roleLatest(a.id, IPAMRoleName); !has {
			e.putRole(now, a.id, ipamRole(created))
		}
	}
}

func (e *Emulator) disableIpamAdmin(c *call) (any, *apiError) {
	target, ae := e.ipamAdminCaller(c)
	if ae != nil {
		return nil, ae
	}
	admins := e.adminsLatest(IPAMServicePrincipal)
	if len(admins) == 0 || admins[0] != target {
		return nil, errf(http.StatusBadRequest, "IpamOrganizationAccountNotRegistered",
			"The account %s is not the IPAM delegated administrator of your organization.", target)
	}
	if c.dryRun {
		return nil, errf(statusDryRun, codeDryRun, "%s", dryRunMessage)
	}
	// Trusted access and the service-linked roles stay: AWS documents
	// their removal as separate teardown steps. The admin's IPAMs stay too
	// and monitor only its own account from now on
	// (docs/emulator.md#scope).
	e.setAdmin(c.now, IPAMServicePrincipal, target, false)
	return &ec2SuccessResult{Success: true}, nil
}

// ec2Region refuses an EC2 request signed for a Region the account cannot
// use: an opt-in Region (no emulated account has opted in) or an unknown
// one, as AWS answers a request to a disabled Region.
func ec2Region(region string) *apiError {
	if isEnabledRegion(region) {
		return nil
	}
	if isOptInRegion(region) {
		return errf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	return errf(http.StatusUnauthorized, "AuthFailure", "Credential should be scoped to a valid region, not '%s'.", truncate(region, 32))
}
