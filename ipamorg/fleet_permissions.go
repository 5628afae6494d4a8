package ipamorg

// RequiredVerifyPermissions returns the least-privilege IAM policy
// documents (JSON, Version 2012-10-17) for VerifyServiceLinkedRoles with
// opts: caller is for the principal that calls it, member for the access
// role (opts.RoleName) in every other account. The default access role,
// OrganizationAccountAccessRole, has AdministratorAccess and needs no
// member policy; a narrower role of your own does. Repair adds
// iam:CreateServiceLinkedRole, limited to ipam.amazonaws.com, to both.
// Invalid opts are treated as the zero VerifyOptions.
func RequiredVerifyPermissions(opts VerifyOptions) (caller, member string) {
	o, err := opts.resolve()
	if err != nil {
		o, _ = VerifyOptions{Repair: opts.Repair}.resolve()
	}
	roleStatements := []policyStatement{
		{Sid: "IpamVerifyServiceLinkedRole", Effect: "Allow", Resource: roleARNPattern, Action: []string{"iam:GetRole"}},
	}
	if o.Repair {
		// The same statement delegating needs: one definition of the
		// condition on iam:AWSServiceName.
		roleStatements = append(roleStatements, createServiceLinkedRoleStatement)
	}
	callerStatements := append([]policyStatement{
		{Sid: "IpamVerifyList", Effect: "Allow", Resource: "*", Action: []string{
			"organizations:DescribeOrganization",
			"organizations:ListAccounts",
			"organizations:ListDelegatedAdministrators",
			"sts:GetCallerIdentity",
		}},
		{Sid: "IpamVerifyAssumeAccessRole", Effect: "Allow", Resource: "arn:aws:iam::*:role/" + o.RoleName, Action: []string{"sts:AssumeRole"}},
	}, roleStatements...)
	return policyDocument(callerStatements), policyDocument(roleStatements)
}
