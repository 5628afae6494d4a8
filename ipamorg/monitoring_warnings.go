package ipamorg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipamorg/sdk/internal/awscall"
)

// sampleSize is how many accounts a message names before it counts the
// rest.
const sampleSize = 10

func warnNoIPAM(admin string, regions []string) Warning {
	return Warning{WarnNoIPAM, fmt.Sprintf("the delegated administrator %s owns no ipam in %s, so ipam monitors nothing: "+
		"create one with the administrator's credentials (ec2:CreateIpam, with the Regions to monitor as its operating Regions)", admin, regionCount(regions))}
}

// monitoringWarnings returns what stands between m and complete
// monitoring, with the fix of each.
func monitoringWarnings(m *Monitoring) []Warning {
	var ws []Warning
	var own []string
	wide := false
	for _, ip := range m.IPAMs {
		switch {
		case strings.HasSuffix(ip.State, "-failed"):
			ws = append(ws, Warning{WarnIPAMNotReady, fmt.Sprintf("ipam %s in %s is %s: delete it (%s) and create it again", ip.ID, ip.Region, ip.State, ip.DeleteCommand())})
		case ip.State == "create-in-progress":
			ws = append(ws, Warning{WarnIPAMNotReady, fmt.Sprintf("ipam %s in %s is create-in-progress: it discovers accounts once it is create-complete", ip.ID, ip.Region)})
		case !ip.Ready():
			ws = append(ws, Warning{WarnIPAMNotReady, fmt.Sprintf("ipam %s in %s is %s: it monitors nothing", ip.ID, ip.Region, orNone(ip.State))})
		}
		switch {
		case ip.OrganizationWide:
			wide = true
		case ip.Ready():
			own = append(own, fmt.Sprintf("%s in %s", ip.ID, ip.Region))
		}
	}
	const recreate = "delete it as the administrator and create it again: an ipam created before its account became the delegated administrator keeps monitoring only that account"
	switch {
	case !wide:
		msg := fmt.Sprintf("no ipam of the delegated administrator %s monitors the organization", m.AdminAccountID)
		if len(own) > 0 {
			msg += fmt.Sprintf(": %s discover(s) only the administrator's own account; %s", strings.Join(own, ", "), recreate)
		}
		ws = append(ws, Warning{WarnNoOrganizationWideIPAM, msg})
	default:
		for _, o := range own {
			ws = append(ws, Warning{WarnIPAMOwnAccountOnly, fmt.Sprintf("ipam %s discovers only the administrator's own account; %s", o, recreate)})
		}
	}
	return append(ws, accountWarnings(m.Accounts)...)
}

// accountWarnings returns the warnings about the accounts: Regions where
// none is discovered yet, accounts pending elsewhere, and failures grouped
// by AWS's code.
func accountWarnings(accounts []DiscoveredAccount) []Warning {
	discoveredIn := map[string]bool{}
	var regions []string
	for _, a := range accounts {
		if !slices.Contains(regions, a.Region) {
			regions = append(regions, a.Region)
		}
		if !a.Pending() && !a.Excluded {
			discoveredIn[a.Region] = true
		}
	}
	slices.Sort(regions)
	var ws []Warning
	var silent []string
	for _, r := range regions {
		if !discoveredIn[r] {
			silent = append(silent, r)
		}
	}
	// Excluded accounts are counted apart: no warning counts them among
	// those it is about.
	excluded := ""
	if n := countAccounts(excludedOf(accounts)); n > 0 {
		excluded = fmt.Sprintf(" (%d excluded by OU exclusions, not waited for)", n)
	}
	if len(silent) > 0 {
		ws = append(ws, Warning{WarnRegionNotDiscovered, fmt.Sprintf("no account is discovered yet in %s%s: "+
			"ipam discovers accounts minutes after an ipam is created; wait (WaitMonitored)", strings.Join(silent, ", "), excluded)})
	}
	var pending []DiscoveredAccount
	failing := map[string][]DiscoveredAccount{}
	var codes []string
	for _, a := range accounts {
		switch {
		case a.Pending() && discoveredIn[a.Region]:
			pending = append(pending, a)
		case a.FailureCode != "":
			if failing[a.FailureCode] == nil {
				codes = append(codes, a.FailureCode)
			}
			failing[a.FailureCode] = append(failing[a.FailureCode], a)
		}
	}
	if len(pending) > 0 {
		ws = append(ws, Warning{WarnDiscoveryPending, fmt.Sprintf("%d account-region(s) not discovered yet%s: %s; "+
			"ipam discovers an account minutes after it joins or its AWSServiceRoleForIPAM is created; wait (WaitMonitored)",
			len(pending), excluded, sample(pending))})
	}
	slices.Sort(codes)
	for _, code := range codes {
		as := failing[code]
		ws = append(ws, failureWarning(code, as))
	}
	return ws
}

// failureWarning is the warning for the accounts as failing discovery with
// code, with the fix AWS's code calls for.
func failureWarning(code string, as []DiscoveredAccount) Warning {
	what := fmt.Sprintf("%d account-region(s) fail ipam's discovery with %s: %s", len(as), code, sample(as))
	switch code {
	case "assume-role-failure":
		return Warning{WarnAssumeRoleFailure, what + "; ipam cannot assume AWSServiceRoleForIPAM there: " +
			"create the missing roles (VerifyServiceLinkedRoles with Repair; ipamorgctl verify --repair), then wait for discovery"}
	case "throttling-failure":
		return Warning{WarnDiscoveryThrottled, what + "; ipam was throttled and retries on its own: wait (WaitMonitored)"}
	case "unauthorized-failure":
		return Warning{WarnDiscoveryUnauthorized, what + "; AWSServiceRoleForIPAM is not authorized there: " +
			"allow it in the service control policies and permissions boundaries that apply to those accounts"}
	}
	return Warning{WarnDiscoveryFailure, what + "; aws says: " + awscall.Truncate(as[0].FailureMessage, 200)}
}

// excludedOf returns the entries of as that OU exclusions exclude.
func excludedOf(as []DiscoveredAccount) []DiscoveredAccount {
	return (&Monitoring{Accounts: as}).Excluded()
}

// sample names up to sampleSize accounts of as, each with its Region, and
// counts the rest.
func sample(as []DiscoveredAccount) string {
	var names []string
	for i, a := range as {
		if i == sampleSize {
			names = append(names, fmt.Sprintf("and %d more", len(as)-sampleSize))
			break
		}
		names = append(names, a.AccountID+" in "+a.Region)
	}
	return strings.Join(names, ", ")
}

// regionCount renders the Regions read, by name when few.
func regionCount(regions []string) string {
	if len(regions) <= 3 {
		return regionList(regions)
	}
	return fmt.Sprintf("the %d Regions read", len(regions))
}
