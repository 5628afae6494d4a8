package awstest

import "slices"

// operations lists every API the emulator serves, by service and name.
var operations = map[string]map[string]*operation{}

func init() {
	for _, op := range []*operation{
		{svcOrganizations, "DescribeOrganization", false, (*Emulator).describeOrganization},
		{svcOrganizations, "DescribeAccount", false, (*Emulator).describeAccount},
		{svcOrganizations, "ListAccounts", false, (*Emulator).listAccounts},
		{svcOrganizations, "ListAWSServiceAccessForOrganization", false, (*Emulator).listAWSServiceAccess},
		{svcOrganizations, "EnableAWSServiceAccess", true, (*Emulator).enableAWSServiceAccess},
		{svcOrganizations, "DisableAWSServiceAccess", true, (*Emulator).disableAWSServiceAccess},
		{svcOrganizations, "ListDelegatedAdministrators", false, (*Emulator).listDelegatedAdministrators},
		{svcOrganizations, "RegisterDelegatedAdministrator", true, (*Emulator).registerDelegatedAdministrator},
		{svcOrganizations, "DeregisterDelegatedAdministrator", true, (*Emulator).deregisterDelegatedAdministrator},
		{svcOrganizations, "ListRoots", false, (*Emulator).listRoots},
		{svcOrganizations, "ListOrganizationalUnitsForParent", false, (*Emulator).listOUsForParent},
		{svcOrganizations, "ListAccountsForParent", false, (*Emulator).listAccountsForParent},
		{svcOrganizations, "ListParents", false, (*Emulator).listParents},
		{svcOrganizations, "DescribeOrganizationalUnit", false, (*Emulator).describeOU},
		{svcEC2, "EnableIpamOrganizationAdminAccount", true, (*Emulator).enableIpamAdmin},
		{svcEC2, "DisableIpamOrganizationAdminAccount", true, (*Emulator).disableIpamAdmin},
		{svcEC2, "CreateIpam", true, (*Emulator).createIpam},
		{svcEC2, "DescribeIpams", false, (*Emulator).describeIpams},
		{svcEC2, "DeleteIpam", true, (*Emulator).deleteIpam},
		{svcEC2, "DescribeIpamResourceDiscoveries", false, (*Emulator).describeIpamResourceDiscoveries},
		{svcEC2, "GetIpamDiscoveredAccounts", false, (*Emulator).getIpamDiscoveredAccounts},
		{svcEC2, "DescribeRegions", false, (*Emulator).describeRegions},
		{svcSTS, "GetCallerIdentity", false, (*Emulator).getCallerIdentity},
		{svcSTS, "AssumeRole", false, (*Emulator).assumeRole},
		{svcIAM, "GetRole", false, (*Emulator).getRole},
		{svcIAM, "CreateServiceLinkedRole", true, (*Emulator).createServiceLinkedRole},
		{svcIAM, "DeleteServiceLinkedRole", true, (*Emulator).deleteServiceLinkedRole},
		{svcIAM, "GetServiceLinkedRoleDeletionStatus", false, (*Emulator).getServiceLinkedRoleDeletionStatus},
		{svcIAM, "PutRolePolicy", true, (*Emulator).putRolePolicyOp},
		{svcIAM, "GetRolePolicy", false, (*Emulator).getRolePolicyOp},
		{svcIAM, "DeleteRolePolicy", true, (*Emulator).deleteRolePolicyOp},
		{svcIAM, "ListRolePolicies", false, (*Emulator).listRolePoliciesOp},
	} {
		if operations[op.service] == nil {
			operations[op.service] = map[string]*operation{}
		}
		operations[op.service][op.name] = op
	}
}

// Operations returns the names of the operations the emulator serves, by
// service ("organizations", "ec2", "sts", "iam"), for fault injection and
// audit assertions.
func Operations() map[string][]string {
	out := map[string][]string{}
	for svc, ops := range operations {
		for name := range ops {
			out[svc] = append(out[svc], name)
		}
		slices.Sort(out[svc])
	}
	return out
}
