package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// target is what a command talks to.
type target struct {
	// Desc says which target it is, for the first line of output.
	Desc string `json:"description"`
	// Account is the caller's account.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Endpoints are the endpoint of each service, as its client resolves
	// it; empty for the in-process emulator.
	Endpoints []endpoint `json:"endpoints,omitempty"`
	// Emulated is true for the in-process emulated organization.
	Emulated bool `json:"emulated,omitempty"`

	cfg aws.Config
}

// endpoint is where one service's requests go, and why.
type endpoint struct {
	Service string `json:"service"`
	// URL is the endpoint set by configuration, its userinfo redacted, or
	// "" for AWS's own.
	URL string `json:"url,omitempty"`
	// Source is what set URL: "--endpoint-url", an environment variable
	// (AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, ...) or a profile's shared
	// config; "" for AWS's own endpoint.
	Source string `json:"source,omitempty"`
}

// services are the services the library calls, with the client
// constructor that resolves each one's endpoint exactly as the library's
// clients will. The name is the SDK's service id, which names the
// AWS_ENDPOINT_URL_<SERVICE> variable and the shared config's services
// section key.
var services = []struct {
	name     string
	resolved func(aws.Config) *string
}{
	{"ec2", func(cfg aws.Config) *string { return ec2.NewFromConfig(cfg).Options().BaseEndpoint }},
	{"iam", func(cfg aws.Config) *string { return iam.NewFromConfig(cfg).Options().BaseEndpoint }},
	{"organizations", func(cfg aws.Config) *string { return organizations.NewFromConfig(cfg).Options().BaseEndpoint }},
	{"sts", func(cfg aws.Config) *string { return sts.NewFromConfig(cfg).Options().BaseEndpoint }},
}

// envCredentialsSource is the Source of credentials that the SDK's default
// chain took from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
const envCredentialsSource = "EnvConfigCredentials"

// resolveTarget picks the target from the global flags: the in-process
// emulator with --emulated, else the configuration the AWS SDK loads, with
// --endpoint-url for every service. It never falls back to the emulator:
// without credentials it fails and says how to use it.
func (a *app) resolveTarget(ctx context.Context) (*target, error) {
	if a.emulated {
		if a.endpointURL != "" || a.profile != "" {
			return nil, usageError("--emulated cannot be combined with --endpoint-url or --profile")
		}
		emu := awstest.New()
		t := &target{
			Desc:     "emulated organization (in-process)",
			Account:  awstest.DefaultManagementAccountID,
			Region:   awstest.Region,
			Emulated: true,
			cfg:      emu.Config(ctx, awstest.DefaultManagementAccountID),
		}
		t.cfg.Logger, t.cfg.ClientLogMode = a.sdkLogging()
		return t, nil
	}

	// The SDK's logger from the start: the credential chain logs while the
	// configuration loads (the instance metadata client's "falling back to
	// IMDSv1", say), before quietSDK could set it.
	logger, logMode := a.sdkLogging()
	opts := append([]func(*config.LoadOptions) error{config.WithLogger(logger), config.WithClientLogMode(logMode)}, a.seams.loadOptions...)
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
	if a.seams.httpClient != nil {
		cfg.HTTPClient = a.seams.httpClient
	}
	// Credentials first: without them nothing else matters, and the
	// message must point at --emulated rather than guess it.
	creds, err := retrieve(ctx, cfg)
	if err != nil {
		return nil, withFix(fmt.Errorf("no AWS credentials found: %v", err),
			"Configure credentials (environment, --profile, SSO), or pass --emulated for an in-process emulated organization.")
	}
	if a.endpointURL != "" {
		cfg.BaseEndpoint = aws.String(a.endpointURL)
		// The SDK would still prefer a service-specific endpoint
		// (AWS_ENDPOINT_URL_EC2, a profile's services section) over
		// BaseEndpoint; the flag, as the AWS CLI's, overrides them all.
		// The config sources serve only endpoint, FIPS and dual-stack
		// resolution in these clients, none of which applies to an
		// explicit endpoint.
		cfg.ConfigSources = nil
	}
	eps := resolveEndpoints(cfg, a.endpointURL)
	if cfg.Region == "" {
		if usesAWS(eps) {
			return nil, withFix(errors.New("no AWS region configured"), "Pass --region, or set AWS_REGION (AWS_DEFAULT_REGION for the AWS CLI v1).")
		}
		cfg.Region = awstest.Region // any region will do for an endpoint of one's own
	}
	t := &target{Region: cfg.Region, Endpoints: eps, cfg: cfg}
	from := "profile " + a.profileName()
	if creds.Source == envCredentialsSource {
		from = "environment"
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// The target is known, the account is not: it is still said,
		// so that a wrong port or a bad key shows where it went.
		t.Desc = describe(eps, t.Region, "unknown", from)
		return t, withFix(fmt.Errorf("identify the caller: %w", err),
			"Check that the endpoint on the target line answers (for the emulator: is 'ipamorgctl serve' running there?), and that it accepts the credentials.")
	}
	t.Account = aws.ToString(id.Account)
	t.Desc = describe(eps, t.Region, t.Account, from)
	return t, nil
}

// resolveEndpoints returns each service's endpoint as its client resolves
// it from cfg, and the configuration that set it.
func resolveEndpoints(cfg aws.Config, flag string) []endpoint {
	var shared config.SharedConfig
	for _, src := range cfg.ConfigSources {
		if sc, ok := src.(config.SharedConfig); ok {
			shared = sc
		}
	}
	eps := make([]endpoint, 0, len(services))
	for _, s := range services {
		url := aws.ToString(s.resolved(cfg))
		ep := endpoint{Service: s.name, URL: redactURL(url)}
		envVar := "AWS_ENDPOINT_URL_" + strings.ToUpper(s.name)
		switch {
		case url == "":
		case flag != "" && url == flag:
			ep.Source = "--endpoint-url"
		case os.Getenv(envVar) == url:
			ep.Source = envVar
		case os.Getenv("AWS_ENDPOINT_URL") == url:
			ep.Source = "AWS_ENDPOINT_URL"
		case shared.BaseEndpoint == url:
			ep.Source = "endpoint_url of profile " + shared.Profile
		default:
			ep.Source = "services section of profile " + shared.Profile
		}
		eps = append(eps, ep)
	}
	return eps
}

func usesAWS(eps []endpoint) bool {
	return slices.ContainsFunc(eps, func(e endpoint) bool { return e.URL == "" })
}

// describe is the target line's text: the endpoints, grouped when
// services share one, then the account. For AWS's own endpoints it names
// the region and where the credentials came from.
func describe(eps []endpoint, region, account, creds string) string {
	type group struct {
		ep       endpoint
		services []string
	}
	var groups []*group
	for _, ep := range eps {
		i := slices.IndexFunc(groups, func(g *group) bool { return g.ep.URL == ep.URL && g.ep.Source == ep.Source })
		if i < 0 {
			groups = append(groups, &group{ep: ep})
			i = len(groups) - 1
		}
		groups[i].services = append(groups[i].services, ep.Service)
	}
	where := func(ep endpoint) string {
		if ep.URL == "" {
			return "aws, region " + region
		}
		return ep.URL + " (" + ep.Source + ")"
	}
	var parts []string
	if len(groups) == 1 {
		parts = append(parts, where(groups[0].ep))
	} else {
		for _, g := range groups {
			parts = append(parts, strings.Join(g.services, ", ")+" at "+where(g.ep))
		}
	}
	s := strings.Join(parts, "; ") + ", account " + account
	if usesAWS(eps) {
		s += " (credentials: " + creds + ")"
	}
	return s
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
	if t != nil {
		a.sayTarget(t)
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := ipamorg.NewFromConfig(t.cfg, append([]func(*ipamorg.Options){a.clientOptions}, optFns...)...)
	if err != nil {
		return nil, nil, err
	}
	return c, t, nil
}

// sayTarget prints the target line: first on stdout in text output; with
// JSON output, as a JSON line on stderr so that stdout stays one JSON
// value.
func (a *app) sayTarget(t *target) {
	if a.jsonOutput() {
		writeJSONLine(a.stderr, struct {
			Target *target `json:"target"`
		}{t})
		return
	}
	fmt.Fprintf(a.stdout, "target: %s\n", t.Desc)
}
