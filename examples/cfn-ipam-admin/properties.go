package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// The resource's properties.
const (
	// propAdmin is the 12-digit account to be IPAM's delegated
	// administrator. Required.
	propAdmin = "DelegatedAdminAccountId"
	// propAllowReplacement, "true" or "false" (the default), allows
	// replacing another administrator, which interrupts IPAM for the
	// whole organization.
	propAllowReplacement = "AllowReplacement"
	// propServiceToken (the function's ARN) and propServiceTimeout are
	// CloudFormation's own properties of a custom resource, passed along
	// with the template's.
	propServiceToken   = "ServiceToken"
	propServiceTimeout = "ServiceTimeout"
)

// properties are a resource's properties, parsed.
type properties struct {
	DelegatedAdminAccountID string
	AllowReplacement        bool
}

// parseProperties parses CloudFormation's ResourceProperties, which carry
// every scalar as a string. An unknown property is refused rather than
// ignored: a misspelt AllowReplacement must not pass for false.
func parseProperties(m map[string]any) (properties, error) {
	var p properties
	var unknown []string
	for k := range m {
		if !slices.Contains([]string{propAdmin, propAllowReplacement, propServiceToken, propServiceTimeout}, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return p, fmt.Errorf("unknown properties %v: %s takes %s and %s", unknown, ResourceType, propAdmin, propAllowReplacement)
	}
	admin, ok := m[propAdmin].(string)
	if !ok || admin == "" {
		return p, fmt.Errorf("property %s is required: the 12-digit account to be IPAM's delegated administrator", propAdmin)
	}
	p.DelegatedAdminAccountID = admin
	switch v := m[propAllowReplacement].(type) {
	case nil:
	case bool:
		p.AllowReplacement = v
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return p, fmt.Errorf("property %s is %q: want \"true\" or \"false\"", propAllowReplacement, v)
		}
		p.AllowReplacement = b
	default:
		return p, fmt.Errorf("property %s is %v: want \"true\" or \"false\"", propAllowReplacement, v)
	}
	return p, nil
}
