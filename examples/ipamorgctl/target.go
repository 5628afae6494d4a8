package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// target is what a command talks to.
type target struct {
	// desc says which target it is, for the first line of text output.
	desc string
	cfg  aws.Config
	// emulated is true for the in-process emulated organization.
	emulated bool
}

// envCredentialsSource is the Source of credentials that the SDK's default
// chain took from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
const envCredentialsSource = "EnvConfigCredentials"

// resolveTarget picks the target from the global flags: the in-process
// emulator with --emulated, else --endpoint-url or AWS with the default
// credential chain. It never falls back to the emulator: without
// credentials it fails and says how to use it.
func (a *app) resolveTarget(ctx context.Context) (*target, error) {
	if a.emulated {
		if a.endpointURL != "" || a.profile != "" {
			return nil, usageError("--emulated cannot be combined with --endpoint-url or --profile")
		}
		emu := awstest.New()
		return &target{
			desc:     "emulated organization (in-process)",
			cfg:      emu.Config(ctx, awstest.DefaultManagementAccountID),
			emulated: true,
		}, nil
	}

	var opts []func(*config.LoadOptions) error
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
	}
	if a.region != "" {
		opts = append(opts, config.WithRegion(a.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws configuration: %w", err)
	}
	// Credentials first: without them nothing else matters, and the
	// message must point at --emulated rather than guess it.
	creds, err := retrieve(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("no aws credentials found: configure credentials (environment, --profile, sso) "+
			"or pass --emulated to use an in-process emulated organization (%v)", err)
	}
	if a.endpointURL != "" {
		cfg.BaseEndpoint = aws.String(a.endpointURL)
		if cfg.Region == "" {
			cfg.Region = awstest.Region
		}
	} else if cfg.Region == "" {
		return nil, fmt.Errorf("no aws region configured: pass --region or set AWS_REGION")
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identify the caller: %w", err)
	}
	account := aws.ToString(id.Account)

	t := &target{cfg: cfg}
	if a.endpointURL != "" {
		t.desc = fmt.Sprintf("%s (account %s)", a.endpointURL, account)
		return t, nil
	}
	from := "profile " + a.profileName()
	if creds.Source == envCredentialsSource {
		from = "environment credentials"
	}
	t.desc = fmt.Sprintf("aws (%s, region %s, account %s)", from, cfg.Region, account)
	return t, nil
}

// retrieve fetches the credentials once, so that a missing configuration
// fails here with its own message rather than inside the first call.
func retrieve(ctx context.Context, cfg aws.Config) (aws.Credentials, error) {
	if cfg.Credentials == nil {
		return aws.Credentials{}, fmt.Errorf("no credential provider")
	}
	return cfg.Credentials.Retrieve(ctx)
}

func (a *app) profileName() string {
	switch {
	case a.profile != "":
		return a.profile
	case os.Getenv("AWS_PROFILE") != "":
		return os.Getenv("AWS_PROFILE")
	}
	return "default"
}

// connect resolves the target, says which it is, and returns an ipamorg
// client for it with the global flags' options and then optFns.
func (a *app) connect(ctx context.Context, optFns ...func(*ipamorg.Options)) (*ipamorg.Client, *target, error) {
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return nil, nil, err
	}
	a.sayTarget(t)
	c, err := ipamorg.NewFromConfig(t.cfg, append([]func(*ipamorg.Options){a.clientOptions}, optFns...)...)
	if err != nil {
		return nil, nil, err
	}
	return c, t, nil
}

// sayTarget prints the target line: first on stdout in text output, on
// stderr with JSON so that stdout stays parseable.
func (a *app) sayTarget(t *target) {
	w := a.stdout
	if a.jsonOutput() {
		w = a.stderr
	}
	fmt.Fprintf(w, "target: %s\n", t.desc)
}
