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
		{svcEC2, "EnableIpamOrganizationAdminAccount", true, (*Emulator).enableIpamAdmin},
		{svcEC2, "DisableIpamOrganizationAdminAccount", true, (*Emulator).disableIpamAdmin},
		{svcSTS, "GetCallerIdentity", false, (*Emulator).getCallerIdentity},
		{svcSTS, "AssumeRole", false, (*Emulator).assumeRole},
		{svcIAM, "GetRole", false, (*Emulator).getRole},
		{svcIAM, "CreateServiceLinkedRole", true, (*Emulator).createServiceLinkedRole},
		{svcIAM, "DeleteServiceLinkedRole", true, (*Emulator).deleteServiceLinkedRole},
		{svcIAM, "GetServiceLinkedRoleDeletionStatus", false, (*Emulator).getServiceLinkedRoleDeletionStatus},
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
