package awstest

import "slices"

// knownPrincipals are the service principals of the AWS services that
// integrate with Organizations (trusted access or delegated administrator),
// from the table "AWS services that you can use with AWS Organizations" of
// the Organizations User Guide and the service pages it links to. A
// principal Organizations does not know is refused with
// UNRECOGNIZED_SERVICE_PRINCIPAL (see docs/emulator.md#service-principals);
// ServerOptions.ServicePrincipals adds others.
var knownPrincipals = []string{
	"access-analyzer.amazonaws.com",
	"account.amazonaws.com",
	"auditmanager.amazonaws.com",
	"aws-artifact-account-sync.amazonaws.com",
	"backup.amazonaws.com",
	"bcm-data-exports.amazonaws.com",
	"billing-cost-management.amazonaws.com",
	"cloudtrail.amazonaws.com",
	"compute-optimizer.amazonaws.com",
	"config-multiaccountsetup.amazonaws.com",
	"config.amazonaws.com",
	"controltower.amazonaws.com",
	"cost-optimization-hub.bcm.amazonaws.com",
	"detective.amazonaws.com",
	"devops-guru.amazonaws.com",
	"ds.amazonaws.com",
	"fms.amazonaws.com",
	"guardduty.amazonaws.com",
	"health.amazonaws.com",
	"iam.amazonaws.com",
	"inspector2.amazonaws.com",
	"ipam.amazonaws.com",
	"license-management.marketplace.amazonaws.com",
	"license-manager.amazonaws.com",
	"license-manager.member-account.amazonaws.com",
	"macie.amazonaws.com",
	"malware-protection.guardduty.amazonaws.com",
	"member.org.stacksets.cloudformation.amazonaws.com",
	"mgn.amazonaws.com",
	"ncm.amazonaws.com",
	"networkmanager.amazonaws.com",
	"opsdatasync.ssm.amazonaws.com",
	"ram.amazonaws.com",
	"reachabilityanalyzer.networkinsights.amazonaws.com",
	"reporting.trustedadvisor.amazonaws.com",
	"resource-explorer-2.amazonaws.com",
	"securityhub.amazonaws.com",
	"securitylake.amazonaws.com",
	"servicecatalog.amazonaws.com",
	"servicequotas.amazonaws.com",
	"ssm-quicksetup.amazonaws.com",
	"ssm.amazonaws.com",
	"sso.amazonaws.com",
	"storage-lens.s3.amazonaws.com",
	"tagpolicies.tag.amazonaws.com",
	"trustedadvisor.amazonaws.com",
	"wellarchitected.amazonaws.com",
}

// ServicePrincipals returns the service principals the emulator's
// Organizations knows by default, sorted; ServerOptions.ServicePrincipals
// adds to them.
func ServicePrincipals() []string { return slices.Clone(knownPrincipals) }

func principalSet(extra []string) map[string]bool {
	set := make(map[string]bool, len(knownPrincipals)+len(extra))
	for _, p := range knownPrincipals {
		set[p] = true
	}
	for _, p := range extra {
		set[p] = true
	}
	return set
}
