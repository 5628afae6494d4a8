package ipamorg

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// How the Client reaches the organization's other accounts: the access
// role (Options.AccessRole), assumed from the caller's account, in the
// organization's partition: in IPAM's delegated administrator (Monitoring,
// WaitMonitored, the guard before removing it), re-assumed when its
// session expires, and in each member account (VerifyServiceLinkedRoles).

// DefaultAccessRole is the role the Client assumes in the organization's
// other accounts by default (Options.AccessRole): the one AWS Organizations
// creates in every account it creates, trusting the management account.
const DefaultAccessRole = "OrganizationAccountAccessRole"

const (
	// accessSessionSeconds is the shortest session STS grants: enough for
	// a fleet check's two or three calls, and, for the administrator's
	// account, refreshed when it expires (see reachAdmin).
	accessSessionSeconds = 900
	// The sessions' names in CloudTrail: the administrator's, and the
	// member accounts' of a fleet verification.
	monitorSessionName = "ipamorg-monitoring"
	memberSessionName  = "ipamorg-verify"
)

// IAM's rules for a role's name (1 to 64 of letters, digits and +=,.@_-)
// and path (printable ASCII, 512 characters with its slashes); a colon or a
// space, which IAM allows in a path, would make the role's ARN ambiguous,
// and no real access role has one.
var (
	roleNamePattern = regexp.MustCompile(`\A[\w+=,.@-]{1,64}\z`)
	rolePathPattern = regexp.MustCompile(`\A[\x21-\x39\x3b-\x7e]{1,510}\z`)
)

// validRoleName reports whether s is a role name, or path/name without the
// path's leading and trailing slashes.
func validRoleName(s string) bool {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return roleNamePattern.MatchString(s)
	}
	path, name := s[:i], s[i+1:]
	return roleNamePattern.MatchString(name) && rolePathPattern.MatchString(path) &&
		!strings.HasPrefix(path, "/") && !strings.HasSuffix(path, "/") && !strings.Contains(path, "//")
}

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

// partitionOf returns the partition ("aws", "aws-cn", "aws-us-gov") of
// the first ARN that has one, or "aws".
func partitionOf(arns ...string) string {
	for _, arn := range arns {
		if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
			return parts[1]
		}
	}
	return "aws"
}

// memberIAM assumes the access role in account, in partition, and returns
// an IAM client acting there (awsclient.Clients.MemberIAM).
func (c *Client) memberIAM(ctx context.Context, partition, account string) (awsclient.IAMAPI, error) {
	creds, err := c.assumeAccessRole(ctx, partition, account, memberSessionName)
	if err != nil {
		return nil, err
	}
	client := c.aws.MemberIAM(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return creds, nil
	}))
	if client == nil {
		return nil, fmt.Errorf("%w: MemberIAM returned nil", awsclient.ErrMissingClient)
	}
	return client, nil
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

// adminEC2 returns an EC2 client acting in the administrator's account in
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
