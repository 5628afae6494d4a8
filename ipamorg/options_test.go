package ipamorg_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/awsclient"
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
