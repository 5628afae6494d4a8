package awstest

import "strings"

// authorization says how IAM authorizes one action the emulator serves:
// on which resource, with which service condition keys, and which other
// actions the service then takes with the caller's permissions.
type authorization struct {
	// resource returns the ARN the action is authorized on; nil: "*", for
	// actions without resource-level permissions.
	resource func(e *Emulator, c *call) string
	// keys returns the action's own condition keys (lower-cased) that the
	// request carries; the global ones are added to every request.
	keys func(c *call) map[string]string
	// dependent returns further actions authorized with the caller's
	// permissions (see docs/emulator.md#iam-dependent-actions).
	dependent func(e *Emulator, c *call) []authzRequest
	// free marks an action that needs no permission at all.
	free bool
}

// authorizations is, for every operation the emulator serves, what the
// Service Authorization Reference ("Actions, resources, and condition keys
// for AWS Organizations / Amazon EC2 / AWS STS / IAM") gives as its
// resource type and condition keys. An action whose resource type column
// is empty authorizes on "*". TestAuthorizationsCoverOperations checks
// that every operation has its row.
var authorizations = map[string]authorization{
	// Organizations
	"organizations:DescribeOrganization":                {},
	"organizations:DescribeAccount":                     {resource: orgARNOf(inAccountID)},
	"organizations:ListAccounts":                        {},
	"organizations:ListAWSServiceAccessForOrganization": {},
	"organizations:EnableAWSServiceAccess":              {keys: servicePrincipalKey},
	"organizations:DisableAWSServiceAccess":             {keys: servicePrincipalKey},
	"organizations:ListDelegatedAdministrators":         {keys: servicePrincipalKey},
	"organizations:RegisterDelegatedAdministrator":      {resource: orgARNOf(inAccountID), keys: servicePrincipalKey},
	"organizations:DeregisterDelegatedAdministrator":    {resource: orgARNOf(inAccountID), keys: servicePrincipalKey},
	"organizations:ListRoots":                           {},
	"organizations:ListOrganizationalUnitsForParent":    {resource: orgARNOf(inParentID)},
	"organizations:ListAccountsForParent":               {resource: orgARNOf(inParentID)},
	"organizations:ListParents":                         {resource: orgARNOf(inChildID)},
	"organizations:DescribeOrganizationalUnit":          {resource: orgARNOf(inOUID)},

	// EC2 (every action takes ec2:Region)
	"ec2:EnableIpamOrganizationAdminAccount":  {keys: ec2RegionKey, dependent: enableIpamAdminDependents},
	"ec2:DisableIpamOrganizationAdminAccount": {keys: ec2RegionKey, dependent: disableIpamAdminDependents},
	"ec2:CreateIpam":                      {resource: ec2ARN("ipam", ""), keys: ec2RegionKey, dependent: createIpamDependents},
	"ec2:DescribeIpams":                   {keys: ec2RegionKey},
	"ec2:DeleteIpam":                      {resource: ec2ARN("ipam", "IpamId"), keys: ec2RegionKey},
	"ec2:DescribeIpamResourceDiscoveries": {keys: ec2RegionKey},
	"ec2:GetIpamDiscoveredAccounts":       {resource: ec2ARN("ipam-resource-discovery", "IpamResourceDiscoveryId"), keys: ec2RegionKey},
	"ec2:DescribeRegions":                 {keys: ec2RegionKey},

	// STS. GetCallerIdentity needs no permission: "No permissions are
	// required to perform this operation" (STS API Reference), not even
	// when a policy denies it.
	"sts:GetCallerIdentity": {free: true},
	"sts:AssumeRole":        {resource: formValue("RoleArn")},

	// IAM
	"iam:GetRole":                            {resource: roleNamed},
	"iam:CreateServiceLinkedRole":            {resource: serviceLinkedRoleFor, keys: awsServiceNameKey},
	"iam:DeleteServiceLinkedRole":            {resource: roleNamed},
	"iam:GetServiceLinkedRoleDeletionStatus": {resource: roleOfDeletionTask},
	"iam:PutRolePolicy":                      {resource: roleNamed},
	"iam:GetRolePolicy":                      {resource: roleNamed},
	"iam:DeleteRolePolicy":                   {resource: roleNamed},
	"iam:ListRolePolicies":                   {resource: roleNamed},
}

// The Organizations input members that name a resource.
var (
	inAccountID = func(in *orgInput) *string { return in.AccountId }
	inParentID  = func(in *orgInput) *string { return in.ParentId }
	inChildID   = func(in *orgInput) *string { return in.ChildId }
	inOUID      = func(in *orgInput) *string { return in.OrganizationalUnitId }
)

// orgARNOf is the ARN of the account, root or OU an Organizations input
// names.
func orgARNOf(id func(*orgInput) *string) func(*Emulator, *call) string {
	return func(e *Emulator, c *call) string { return e.orgARN(deref(id(&c.in))) }
}

// orgARN is the ARN of the account, root or OU with id in the caller's
// organization, as the Service Authorization Reference writes them
// (arn:aws:organizations::<management>:account/o-…/<id>, root/o-…/r-…,
// ou/o-…/ou-…), whether or not it exists; "*" when there is no
// organization or no id to name.
func (e *Emulator) orgARN(id string) string {
	o := e.m.org
	var kind string
	switch {
	case o == nil || id == "":
		return "*"
	case isAccountID(id):
		kind = "account"
	case strings.HasPrefix(id, "r-"):
		kind = "root"
	case strings.HasPrefix(id, "ou-"):
		kind = "ou"
	default:
		return "*"
	}
	return "arn:aws:organizations::" + o.mgmt.id + ":" + kind + "/" + o.id + "/" + id
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func servicePrincipalKey(c *call) map[string]string {
	if c.in.ServicePrincipal == nil {
		return nil
	}
	return map[string]string{"organizations:serviceprincipal": *c.in.ServicePrincipal}
}

func ec2RegionKey(c *call) map[string]string {
	return map[string]string{"ec2:region": c.region}
}

func awsServiceNameKey(c *call) map[string]string {
	if !c.form.Has("AWSServiceName") {
		return nil
	}
	return map[string]string{"iam:awsservicename": c.form.Get("AWSServiceName")}
}

// ec2ARN is the ARN of the caller's EC2 resource of the type whose id is
// the form's param; "" for a resource being created: "<type>/*".
func ec2ARN(typ, param string) func(*Emulator, *call) string {
	return func(_ *Emulator, c *call) string {
		id := "*"
		if param != "" {
			if id = c.form.Get(param); id == "" {
				return "*"
			}
		}
		return "arn:aws:ec2::" + c.id.account + ":" + typ + "/" + id
	}
}

func formValue(param string) func(*Emulator, *call) string {
	return func(_ *Emulator, c *call) string {
		if v := c.form.Get(param); v != "" {
			return v
		}
		return "*"
	}
}

// roleNamed is the ARN of the caller's role named by RoleName, with its
// path when the role exists.
func roleNamed(e *Emulator, c *call) string {
	return e.roleARN(c.id.account, c.form.Get("RoleName"))
}

func (e *Emulator) roleARN(account, name string) string {
	if name == "" {
		return "*"
	}
	if r, ok := e.roleLatest(account, name); ok {
		return r.arn(account)
	}
	return "arn:aws:iam::" + account + ":role/" + name
}

// serviceLinkedRoleFor is the ARN of the service-linked role that
// CreateServiceLinkedRole would create for AWSServiceName.
func serviceLinkedRoleFor(_ *Emulator, c *call) string {
	svc := c.form.Get("AWSServiceName")
	switch svc {
	case "":
		return "*"
	case IPAMServicePrincipal:
		return ipamRoleARN(c.id.account)
	}
	return "arn:aws:iam::" + c.id.account + ":role/aws-service-role/" + svc + "/*"
}

func ipamRoleARN(account string) string {
	return "arn:aws:iam::" + account + ":role" + IPAMRolePath + IPAMRoleName
}

// roleOfDeletionTask is the ARN of the role a deletion task id
// (task/<path><name>/<id>) names.
func roleOfDeletionTask(_ *Emulator, c *call) string {
	rest, ok := strings.CutPrefix(c.form.Get("DeletionTaskId"), "task/")
	i := strings.LastIndexByte(rest, '/')
	if !ok || i <= 0 {
		return "*"
	}
	return "arn:aws:iam::" + c.id.account + ":role/" + rest[:i]
}

// enableIpamAdminDependents: designating the IPAM admin enables trusted
// access, registers the admin and creates AWSServiceRoleForIPAM with the
// caller's permissions (IPAM User Guide, "Integrate IPAM with accounts in
// an AWS Organization", whose policy example lists the three actions).
// Assumption (docs/emulator.md#iam-dependent-actions): they are checked on
// every call but a dry run, whatever of the integration exists already.
func enableIpamAdminDependents(e *Emulator, c *call) []authzRequest {
	sp := map[string]string{"organizations:serviceprincipal": IPAMServicePrincipal}
	return []authzRequest{
		{action: "organizations:EnableAWSServiceAccess", resource: "*", keys: sp},
		{action: "organizations:RegisterDelegatedAdministrator", resource: e.orgARN(c.form.Get("DelegatedAdminAccountId")), keys: sp},
		{action: "iam:CreateServiceLinkedRole", resource: ipamRoleARN(c.id.account),
			keys: map[string]string{"iam:awsservicename": IPAMServicePrincipal}},
	}
}

// disableIpamAdminDependents: removing the IPAM admin deregisters it with
// the caller's permissions. Assumption
// (docs/emulator.md#iam-dependent-actions), as for enabling.
func disableIpamAdminDependents(e *Emulator, c *call) []authzRequest {
	return []authzRequest{{
		action: "organizations:DeregisterDelegatedAdministrator", resource: e.orgARN(c.form.Get("DelegatedAdminAccountId")),
		keys: map[string]string{"organizations:serviceprincipal": IPAMServicePrincipal},
	}}
}

// createIpamDependents: an IPAM creates AWSServiceRoleForIPAM in its
// account when the role is missing (IPAM User Guide, "Service-linked roles
// for IPAM"), with the caller's permissions; only then is
// iam:CreateServiceLinkedRole checked.
func createIpamDependents(e *Emulator, c *call) []authzRequest {
	if _, has := e.roleLatest(c.id.account, IPAMRoleName); has {
		return nil
	}
	return []authzRequest{{action: "iam:CreateServiceLinkedRole", resource: ipamRoleARN(c.id.account),
		keys: map[string]string{"iam:awsservicename": IPAMServicePrincipal}}}
}
