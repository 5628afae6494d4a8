package ipamorg

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// How the Client reaches the organization's other accounts: the access
// role (Options.AccessRole), assumed from the caller's account.

const (
	// accessSessionSeconds is the shortest session STS grants: enough for
	// a fleet check's two or three calls, and, for the administrator's
	// account, refreshed when it expires (see reachAdmin).
	accessSessionSeconds = 900
	// monitorSessionName names the administrator's sessions in CloudTrail.
	monitorSessionName = "ipamorg-monitoring"
)

// regionPattern matches the names of AWS Regions: us-east-1,
// ap-southeast-2, us-gov-west-1, cn-north-1.
var regionPattern = regexp.MustCompile(`\A[a-z]{2}(-[a-z]+)+-[0-9]+\z`)

// resolveAccess validates o's AccessRole and IPAMRegions and fills in the
// default role.
func (o *Options) resolveAccess() error {
	switch {
	case o.AccessRole == "":
		o.AccessRole = DefaultAccessRole
	case !validRoleName(o.AccessRole):
		return fmt.Errorf("%w: AccessRole %q is not an IAM role name, with or without its path (path/name)", ErrInvalidOptions, o.AccessRole)
	}
	for _, r := range o.IPAMRegions {
		if !regionPattern.MatchString(r) {
			return fmt.Errorf("%w: IPAMRegions: %q is not the name of an AWS Region", ErrInvalidOptions, r)
		}
	}
	if len(o.IPAMRegions) == 0 {
		o.IPAMRegions = nil // the default, not no Region at all
	} else {
		o.IPAMRegions = slices.Compact(slices.Sorted(slices.Values(o.IPAMRegions)))
	}
	return nil
}

// assumeAccessRole assumes Options.AccessRole in account, in partition,
// naming the session session, and returns the session's credentials.
func (c *Client) assumeAccessRole(ctx context.Context, partition, account, session string) (aws.Credentials, error) {
	const action = "sts:AssumeRole"
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, c.opts.AccessRole)
	out, err := awscall.Call(ctx, c.calls, action, func(ctx context.Context) (*sts.AssumeRoleOutput, error) {
		return c.aws.STS.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn:         aws.String(arn),
			RoleSessionName: aws.String(session),
			DurationSeconds: aws.Int32(accessSessionSeconds),
		}, c.calls.STS)
	})
	if err != nil {
		return aws.Credentials{}, err
	}
	if out.Credentials == nil || aws.ToString(out.Credentials.AccessKeyId) == "" {
		return aws.Credentials{}, awscall.InvalidResponse(action, "no credentials")
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Source:          "ipamorg:AssumeRole",
		AccountID:       account,
	}
	if exp := out.Credentials.Expiration; exp != nil {
		creds.CanExpire, creds.Expires = true, *exp
	}
	return creds, nil
}

// adminSession is IPAM's delegated administrator's account as the Client
// reaches it.
type adminSession struct {
	account string
	// creds are the access role's in the account, assumed again when
	// they expire; nil when the caller is the administrator and acts
	// with its own.
	creds aws.CredentialsProvider
}

// reachAdmin returns a session in admin's account: the caller's own
// credentials when it is the administrator, else the access role's,
// assumed at once so that a role that cannot be assumed is
// ErrAdminUnreachable here rather than an error of the first read. It
// needs awsclient.Clients.AdminEC2 (ErrInvalidOptions without it).
func (c *Client) reachAdmin(ctx context.Context, partition, caller, admin string) (*adminSession, error) {
	if c.aws.AdminEC2 == nil {
		return nil, &Error{Kind: ErrInvalidOptions,
			Err: fmt.Errorf("%w: AdminEC2, which reads the ipam delegated administrator's ipams (awsclient.NewFromConfig sets it)", awsclient.ErrMissingClient)}
	}
	if admin == caller {
		return &adminSession{account: admin}, nil
	}
	first, err := c.assumeAccessRole(ctx, partition, admin, monitorSessionName)
	if err != nil {
		return nil, adminUnreachable(admin, "sts:AssumeRole", err)
	}
	var used atomic.Bool
	creds := aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		if !used.Swap(true) {
			return first, nil
		}
		return c.assumeAccessRole(ctx, partition, admin, monitorSessionName)
	}))
	return &adminSession{account: admin, creds: creds}, nil
}

// ec2 returns an EC2 client acting in the administrator's account in
// region ("" for the configuration's Region).
func (c *Client) adminEC2(s *adminSession, region string) (awsclient.IPAMAPI, error) {
	client := c.aws.AdminEC2(s.creds, region)
	if client == nil {
		return nil, fmt.Errorf("%w: AdminEC2 returned nil", awsclient.ErrMissingClient)
	}
	return client, nil
}

// refusalCodes are the AWS error codes, besides those of ErrAccessDenied,
// with which AWS refuses a caller it will not serve at all: an account or
// Region the credentials may not use, or credentials it does not accept.
var refusalCodes = []string{
	"AuthFailure", "OptInRequired", "RegionDisabledException", "InvalidClientTokenId",
	"UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
}

// adminUnreachable returns err, from action in the administrator's account
// (or assuming the role there), as ErrAdminUnreachable when AWS refused
// it, keeping the AWS error wrapped; any other error as it is.
func adminUnreachable(admin, action string, err error) error {
	if classify(err) != ErrAccessDenied && !slices.Contains(refusalCodes, awscall.ErrorCode(err)) {
		return err
	}
	return &Error{Step: Step{Account: admin, Action: action}, Kind: ErrAdminUnreachable, Err: err}
}
