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
	// propAllowIPAMResources, "true" or "false" (the default), lets a
	// step that removes the administrator (the resource's deletion, a
	// replacement) proceed while it still owns IPAMs, or when they cannot
	// be read; without it the handler refuses, as AWS's teardown order
	// deletes the IPAMs first.
	propAllowIPAMResources = "AllowIPAMResources"
	// propAdoptExisting, "true" or "false" (the default), lets a Create
	// that finds IPAM's integration already in place (made by anyone but
	// the resource) adopt it rather than fail; deleting an adopted
	// resource leaves the integration in place. Only a Create reads it.
	propAdoptExisting = "AdoptExisting"
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
	AllowIPAMResources      bool
	AdoptExisting           bool
}

// parseProperties parses CloudFormation's ResourceProperties, which carry
// every scalar as a string. An unknown property is refused rather than
// ignored: a misspelt AllowReplacement must not pass for false.
func parseProperties(m map[string]any) (properties, error) {
	var p properties
	var unknown []string
	for k := range m {
		if !slices.Contains([]string{propAdmin, propAllowReplacement, propAllowIPAMResources, propAdoptExisting, propServiceToken, propServiceTimeout}, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return p, fmt.Errorf("unknown properties %v: %s takes %s, %s, %s and %s", unknown, ResourceType, propAdmin, propAllowReplacement, propAllowIPAMResources, propAdoptExisting)
	}
	admin, ok := m[propAdmin].(string)
	if !ok || admin == "" {
		return p, fmt.Errorf("property %s is required: the 12-digit account to be IPAM's delegated administrator", propAdmin)
	}
	p.DelegatedAdminAccountID = admin
	for _, b := range []struct {
		name string
		v    *bool
	}{{propAllowReplacement, &p.AllowReplacement}, {propAllowIPAMResources, &p.AllowIPAMResources}, {propAdoptExisting, &p.AdoptExisting}} {
		if err := parseBool(m, b.name, b.v); err != nil {
			return p, err
		}
	}
	return p, nil
}

// parseBool sets *v from the property name of m, absent for false.
func parseBool(m map[string]any, name string, v *bool) error {
	switch x := m[name].(type) {
	case nil:
	case bool:
		*v = x
	case string:
		b, err := strconv.ParseBool(x)
		if err != nil {
			return fmt.Errorf("property %s is %q: want \"true\" or \"false\"", name, x)
		}
		*v = b
	default:
		return fmt.Errorf("property %s is %v: want \"true\" or \"false\"", name, x)
	}
	return nil
}
