package ipamorg_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// Options.AccessRole and Options.IPAMRegions are checked by New, before any
// AWS call: IAM's rules for a role's name and path, and Region names.
func TestAccessOptions(t *testing.T) {
	cfg := awstest.New().Config(t.Context(), mgmt)
	for name, o := range map[string]ipamorg.Options{
		"role path":             {AccessRole: "/x"},
		"role ARN":              {AccessRole: "arn:aws:iam::1:role/x"},
		"role with a space":     {AccessRole: "Ipam Reader"},
		"role name too long":    {AccessRole: strings.Repeat("r", 65)},
		"role path with //":     {AccessRole: "audit//Reader"},
		"role name with a star": {AccessRole: "Reader*"},
		"region":                {IPAMRegions: []string{"us-east-1", "US-EAST-1"}},
		"empty region":          {IPAMRegions: []string{""}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ipamorg.NewFromConfig(cfg, func(opts *ipamorg.Options) { *opts = o })
			if !errors.Is(err, ipamorg.ErrInvalidOptions) {
				t.Errorf("New = %v, want ErrInvalidOptions", err)
			}
		})
	}
	for name, o := range map[string]ipamorg.Options{
		"role with a path": {AccessRole: "audit/IpamReader"},
		"gov region":       {IPAMRegions: []string{"us-gov-west-1"}},
		"no regions":       {IPAMRegions: []string{}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ipamorg.NewFromConfig(cfg, func(opts *ipamorg.Options) { *opts = o }); err != nil {
				t.Errorf("New = %v", err)
			}
		})
	}
}
