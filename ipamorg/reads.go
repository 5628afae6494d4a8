package ipamorg

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/internal/awscall"
)

// The reads the package makes, each one AWS call (or one walk through a
// paginated list) that Observe, the confirmations of the steps and the
// fleet verification share.

// Page caps: more pages than this from one list is ErrInvalidResponse, not
// an endless walk. Organizations returns at most 20 items a page, so the
// caps are far above any real organization: a few dozen trusted services,
// and one IPAM administrator. (The listing of the accounts has its own,
// in internal/orglist.)
const (
	maxServicePages = 100
	maxAdminPages   = 100
)

// caller is who sts:GetCallerIdentity says the credentials are.
type caller struct{ account, arn string }

func (c *Client) readCaller(ctx context.Context) (caller, error) {
	out, err := awscall.Call(ctx, c.calls, "sts:GetCallerIdentity", func(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
		return c.aws.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, c.calls.STS)
	})
	if err != nil {
		return caller{}, err
	}
	return caller{aws.ToString(out.Account), aws.ToString(out.Arn)}, nil
}

func (c *Client) readOrganization(ctx context.Context) (*orgtypes.Organization, error) {
	const action = "organizations:DescribeOrganization"
	out, err := awscall.Call(ctx, c.calls, action, func(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
		return c.aws.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, c.calls.Organizations)
	})
	if err != nil {
		return nil, err
	}
	if out.Organization == nil {
		return nil, awscall.InvalidResponse(action, "no organization")
	}
	return out.Organization, nil
}

func (c *Client) readTrustedAccess(ctx context.Context) (bool, error) {
	const action = "organizations:ListAWSServiceAccessForOrganization"
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(
		awscall.Pages(c.calls, action, c.aws.Organizations.ListAWSServiceAccessForOrganization),
		&organizations.ListAWSServiceAccessForOrganizationInput{},
		func(o *organizations.ListAWSServiceAccessForOrganizationPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
	found := false
	err := awscall.WalkPages(ctx, action, maxServicePages, p, c.calls.Organizations, func(out *organizations.ListAWSServiceAccessForOrganizationOutput) (*string, bool) {
		for _, s := range out.EnabledServicePrincipals {
			if aws.ToString(s.ServicePrincipal) == servicePrincipal {
				found = true
			}
		}
		return out.NextToken, !found
	})
	return found, err
}

// readDelegatedAdmins returns the delegated administrators listed for
// ipam.amazonaws.com, in the order listed, "" for an entry without an id.
func (c *Client) readDelegatedAdmins(ctx context.Context) ([]string, error) {
	const action = "organizations:ListDelegatedAdministrators"
	p := organizations.NewListDelegatedAdministratorsPaginator(
		awscall.Pages(c.calls, action, c.aws.Organizations.ListDelegatedAdministrators),
		&organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(servicePrincipal)},
		func(o *organizations.ListDelegatedAdministratorsPaginatorOptions) { o.StopOnDuplicateToken = true })
	ids := []string{}
	err := awscall.WalkPages(ctx, action, maxAdminPages, p, c.calls.Organizations, func(out *organizations.ListDelegatedAdministratorsOutput) (*string, bool) {
		for _, a := range out.DelegatedAdministrators {
			ids = append(ids, aws.ToString(a.Id))
		}
		return out.NextToken, true
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// readServiceLinkedRole reports whether AWSServiceRoleForIPAM exists in the
// caller's account (iam:GetRole).
func (c *Client) readServiceLinkedRole(ctx context.Context) (bool, error) {
	return c.hasServiceLinkedRole(ctx, c.aws.IAM)
}

// hasServiceLinkedRole reports whether AWSServiceRoleForIPAM exists in the
// account client acts in.
func (c *Client) hasServiceLinkedRole(ctx context.Context, client awsclient.IAMAPI) (bool, error) {
	_, err := awscall.Call(ctx, c.calls, "iam:GetRole", func(ctx context.Context) (*iam.GetRoleOutput, error) {
		return client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)}, c.calls.IAM)
	})
	switch {
	case err == nil:
		return true, nil
	case awscall.ErrorCode(err) == codeNoSuchEntity:
		return false, nil
	default:
		return false, err
	}
}
