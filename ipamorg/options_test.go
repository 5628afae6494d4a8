package ipamorg_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  func(*ipamorg.Options)
		ok   bool
	}{
		{"defaults", nil, true},
		{"all set", func(o *ipamorg.Options) {
			o.Retry = ipamorg.RetryOptions{MaxAttempts: 1, MaxBackoff: time.Second}
			o.Wait = ipamorg.WaitOptions{Interval: time.Millisecond, MaxDelay: time.Second, MaxWait: time.Minute}
		}, true},
		{"only a small maximum", func(o *ipamorg.Options) { o.Wait.MaxDelay = 100 * time.Millisecond }, true},
		{"only a large interval", func(o *ipamorg.Options) { o.Wait.Interval = time.Minute }, true},
		{"negative attempts", func(o *ipamorg.Options) { o.Retry.MaxAttempts = -1 }, false},
		{"negative max backoff", func(o *ipamorg.Options) { o.Retry.MaxBackoff = -time.Second }, false},
		{"negative interval", func(o *ipamorg.Options) { o.Wait.Interval = -1 }, false},
		{"negative fast span", func(o *ipamorg.Options) { o.Wait.FastFor = -time.Second }, false},
		{"negative max delay", func(o *ipamorg.Options) { o.Wait.MaxDelay = -1 }, false},
		{"negative max wait", func(o *ipamorg.Options) { o.Wait.MaxWait = -time.Minute }, false},
		{"max delay below interval", func(o *ipamorg.Options) { o.Wait.Interval, o.Wait.MaxDelay = time.Second, time.Millisecond }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ipamorg.New(newMockAWS(t).clients(), tt.opt)
			if tt.ok != (err == nil) || tt.ok != (c != nil) {
				t.Fatalf("New = %v, %v; want ok %v", c, err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, ipamorg.ErrInvalidOptions) {
				t.Errorf("error %v does not wrap ErrInvalidOptions", err)
			}
		})
	}
}

func TestNewNilClients(t *testing.T) {
	e := newMockAWS(t)
	for _, c := range []awsclient.Clients{
		{},
		{Organizations: e.org, EC2: e.ec2, STS: e.sts},
		{Organizations: e.org, EC2: e.ec2, IAM: e.iam},
		{EC2: e.ec2, STS: e.sts, IAM: e.iam},
	} {
		_, err := ipamorg.New(c)
		if !errors.Is(err, ipamorg.ErrInvalidOptions) || !errors.Is(err, awsclient.ErrMissingClient) {
			t.Errorf("New(%+v) error %v", c, err)
		}
	}
}

func TestNewFromConfig(t *testing.T) {
	// No AWS call is made: an empty config is enough.
	if _, err := ipamorg.NewFromConfig(aws.Config{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ipamorg.NewFromConfig(aws.Config{}, func(o *ipamorg.Options) { o.Wait.MaxWait = -1 }); !errors.Is(err, ipamorg.ErrInvalidOptions) {
		t.Errorf("error %v", err)
	}
}

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
