package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// target is the provider block's part of the AWS configuration; the rest
// comes from the SDK's chain.
type target struct {
	profile, region, endpointURL string
}

// emulatorRegion is the Region used with an endpoint_url of one's own when
// none is configured: any will do there.
const emulatorRegion = "us-east-1"

// loadAWSConfig resolves the AWS configuration as the AWS CLI does: the
// SDK's default chain, with the profile and Region the provider block
// names, and endpoint_url overriding every service's endpoint,
// service-specific variables and profile sections included. Unlike
// ipamorgctl, which defaults the Region for any endpoint that is not AWS's
// (a profile's endpoint_url too), it defaults it only for the block's
// endpoint_url. It retrieves the credentials once, so that missing ones
// fail here with a fix rather than inside the first call.
func loadAWSConfig(ctx context.Context, t target) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if t.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(t.profile))
	}
	if t.region != "" {
		opts = append(opts, config.WithRegion(t.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws configuration: %w", err)
	}
	if cfg.Credentials == nil {
		return aws.Config{}, withFix(errors.New("no AWS credentials found"), credentialsFix)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, withFix(fmt.Errorf("no AWS credentials found: %w", err), credentialsFix)
	}
	if t.endpointURL != "" {
		cfg.BaseEndpoint = aws.String(t.endpointURL)
		// The SDK prefers AWS_ENDPOINT_URL_<SERVICE> and a profile's
		// services section over BaseEndpoint; endpoint_url, like the
		// CLI's --endpoint-url, overrides them all. The config sources
		// serve only endpoint, FIPS and dual-stack resolution in these
		// clients, none of which applies to an explicit endpoint.
		cfg.ConfigSources = nil
		if cfg.Region == "" {
			cfg.Region = emulatorRegion
		}
	}
	if cfg.Region == "" {
		return aws.Config{}, withFix(errors.New("no AWS region configured"),
			"Set region in the provider block, or AWS_REGION, or a region in the profile.")
	}
	return cfg, nil
}

const credentialsFix = "Configure the management account's credentials as for the AWS CLI (environment, profile in the provider block or AWS_PROFILE, SSO); " +
	"for the emulator (ipamorgctl serve), AWS_ACCESS_KEY_ID=<12-digit account> and any AWS_SECRET_ACCESS_KEY."
