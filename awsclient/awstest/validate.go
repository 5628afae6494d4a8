package awstest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A SpecError reports an invalid starting point for an emulator: which
// field of the organization, the IPAMs or the scenario file, and why. New
// panics with it; LoadScenario and DecodeScenario return it.
type SpecError struct {
	// File is the scenario file's name; "" for Go options.
	File string
	// Line and Column locate a syntax error in the file (1-based); 0 when
	// unknown.
	Line, Column int
	// Field is the field's path in the scenario file's JSON names, e.g.
	// "members[3].ou"; "" for a syntax error.
	Field string
	// Reason says what is wrong.
	Reason string
}

func (e *SpecError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

func specErr(field, format string, args ...any) *SpecError {
	return &SpecError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// maxOUDepth is Organizations' quota on OU nesting (five levels below the
// root).
const maxOUDepth = 5

// checkStart validates what New starts from.
func checkStart(o *ServerOptions, principals map[string]bool) error {
	var org *Organization
	if !o.NoOrganization {
		d := DefaultOrganization()
		org = &d
		if o.Organization != nil {
			org = o.Organization
		}
		if err := checkOrganization(org, principals); err != nil {
			return err
		}
		if err := checkPolicies(o, org); err != nil {
			return err
		}
	}
	seen := map[[2]string]bool{}
	for i, ip := range o.IPAMs {
		f := "ipams[" + strconv.Itoa(i) + "]"
		if err := checkIPAMSpec(f, ip); err != nil {
			return err
		}
		k := [2]string{ip.Owner, ipamSpecRegion(ip)}
		if seen[k] {
			return specErr(f, "account %s already has an IPAM in %s (one IPAM per account per Region)", k[0], k[1])
		}
		seen[k] = true
	}
	for _, r := range o.WithoutRoles {
		if !isAccountID(r.AccountID) || !validRoleName(r.RoleName) {
			return specErr("withoutRoles", "%q in %q is not a role name in a 12-digit account id", r.RoleName, r.AccountID)
		}
	}
	return nil
}

func checkOrganization(org *Organization, principals map[string]bool) error {
	switch org.FeatureSet {
	case "", FeatureSetAll, FeatureSetConsolidatedBilling:
	default:
		return specErr("featureSet", "%q is neither %s nor %s", org.FeatureSet, FeatureSetAll, FeatureSetConsolidatedBilling)
	}
	for i, p := range org.OUs {
		if err := checkOUPath(p); err != nil {
			return specErr("ous["+strconv.Itoa(i)+"]", "%s", err)
		}
	}
	ids := make(map[string]*Account, len(org.Members)+1)
	check := func(f string, a *Account, mgmt bool) error {
		switch {
		case !isAccountID(a.ID):
			return specErr(f+".id", "%q is not a 12-digit account id", a.ID)
		case ids[a.ID] != nil:
			return specErr(f+".id", "duplicate account id %s", a.ID)
		case len(a.Name) > 128:
			return specErr(f+".name", "longer than 128 characters")
		case a.Email != "" && !validEmail(a.Email):
			return specErr(f+".email", "%q is not an email address of 6 to 64 characters", a.Email)
		}
		if !mgmt {
			switch a.Status {
			case "", StatusActive, StatusSuspended:
			default:
				return specErr(f+".status", "%q is neither %s nor %s", a.Status, StatusActive, StatusSuspended)
			}
			switch a.JoinedMethod {
			case "", JoinedCreated, JoinedInvited:
			default:
				return specErr(f+".joinedMethod", "%q is neither %s nor %s", a.JoinedMethod, JoinedCreated, JoinedInvited)
			}
		}
		if err := checkOUPath(a.OU); err != nil {
			return specErr(f+".ou", "%s", err)
		}
		for j, r := range a.Roles {
			if !validRoleName(r) {
				return specErr(f+".roles["+strconv.Itoa(j)+"]", "%q is not a valid role name", r)
			}
		}
		for j, r := range a.WithoutRoles {
			if !validRoleName(r) {
				return specErr(f+".withoutRoles["+strconv.Itoa(j)+"]", "%q is not a valid role name", r)
			}
		}
		ids[a.ID] = a
		return nil
	}
	if err := check("managementAccount", &org.ManagementAccount, true); err != nil {
		return err
	}
	for i := range org.Members {
		if err := check("members["+strconv.Itoa(i)+"]", &org.Members[i], false); err != nil {
			return err
		}
	}

	allFeatures := org.FeatureSet == "" || org.FeatureSet == FeatureSetAll
	activeMember := func(id string) bool {
		a := ids[id]
		return a != nil && a != &org.ManagementAccount && (a.Status == "" || a.Status == StatusActive)
	}
	if admin := org.IPAMDelegatedAdmin; admin != "" {
		switch {
		case !activeMember(admin):
			return specErr("ipamDelegatedAdmin", "%s is not an active member account", admin)
		case !allFeatures:
			return specErr("ipamDelegatedAdmin", "IPAM needs an organization with all features (featureSet %s)", FeatureSetAll)
		}
	}
	trusted := map[string]bool{}
	if org.IPAMDelegatedAdmin != "" {
		trusted[IPAMServicePrincipal] = true
	}
	for i, p := range org.TrustedServices {
		f := "trustedServices[" + strconv.Itoa(i) + "]"
		switch {
		case !principals[p]:
			return specErr(f, "%q is not a service principal Organizations knows", p)
		case !allFeatures:
			return specErr(f, "trusted access needs an organization with all features (featureSet %s)", FeatureSetAll)
		}
		trusted[p] = true
	}
	for _, p := range sortedKeys(org.DelegatedAdmins) {
		f := "delegatedAdmins[" + strconv.Quote(p) + "]"
		admins := org.DelegatedAdmins[p]
		switch {
		case !principals[p]:
			return specErr(f, "%q is not a service principal Organizations knows", p)
		case !trusted[p]:
			return specErr(f, "%s has no trusted access (list it in trustedServices)", p)
		case p == IPAMServicePrincipal && len(admins) > 1:
			return specErr(f, "IPAM takes one delegated administrator per organization")
		case p == IPAMServicePrincipal && org.IPAMDelegatedAdmin != "" && len(admins) == 1 && admins[0] != org.IPAMDelegatedAdmin:
			return specErr(f, "%s is not ipamDelegatedAdmin %s", admins[0], org.IPAMDelegatedAdmin)
		}
		for j, id := range admins {
			if !activeMember(id) {
				return specErr(f+"["+strconv.Itoa(j)+"]", "%s is not an active member account", id)
			}
		}
	}
	return nil
}

// checkOUPath validates an OU path: names of 1 to 128 characters without
// "/", at most five levels deep.
func checkOUPath(p string) error {
	if p == "" {
		return nil
	}
	names := splitOUPath(p)
	if len(names) > maxOUDepth {
		return fmt.Errorf("%q is %d levels deep; Organizations allows %d", p, len(names), maxOUDepth)
	}
	for _, n := range names {
		if n == "" || len(n) > 128 || strings.TrimSpace(n) != n {
			return fmt.Errorf("%q: OU names are 1 to 128 characters, separated by \"/\", without surrounding spaces", p)
		}
	}
	return nil
}

func checkIPAMSpec(f string, ip IPAMSpec) error {
	region := ipamSpecRegion(ip)
	switch {
	case !isAccountID(ip.Owner):
		return specErr(f+".owner", "%q is not a 12-digit account id", ip.Owner)
	case !isEnabledRegion(region):
		return specErr(f+".region", "%q is not an enabled Region (%s)", region, strings.Join(enabledRegions, ", "))
	case ip.Tier != "" && ip.Tier != TierAdvanced && ip.Tier != TierFree:
		return specErr(f+".tier", "%q is neither %s nor %s", ip.Tier, TierAdvanced, TierFree)
	case len(ip.OperatingRegions) > 0 && !slices.Contains(ip.OperatingRegions, region):
		return specErr(f+".operatingRegions", "must include the home Region %s", region)
	}
	for j, r := range ip.OperatingRegions {
		if !isEnabledRegion(r) {
			return specErr(f+".operatingRegions["+strconv.Itoa(j)+"]", "%q is not an enabled Region", r)
		}
	}
	return nil
}

func ipamSpecRegion(ip IPAMSpec) string {
	if ip.Region == "" {
		return Region
	}
	return ip.Region
}

// validRoleName follows IAM's RoleName pattern [\w+=,.@-]{1,64}.
func validRoleName(name string) bool {
	return name != "" && len(name) <= 64 && strings.IndexFunc(name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c))
	}) < 0
}

// validEmail follows Organizations' Email pattern, [^\s@]+@[^\s@]+\.[^\s@]+
// of 6 to 64 characters.
func validEmail(s string) bool {
	if len(s) < 6 || len(s) > 64 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	i := strings.LastIndexByte(domain, '.')
	return i > 0 && i < len(domain)-1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
