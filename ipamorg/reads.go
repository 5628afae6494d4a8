package ipamorg

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
)

// The reads the package makes, each one AWS call (or one walk through a
// paginated list) that Observe, the confirmations of the steps and the
// fleet verification share.

// Page caps: more pages than this from one list is ErrInvalidResponse, not
// an endless walk. Organizations returns at most 20 items a page, so the
// caps are far above any real organization: a few dozen trusted services,
// one IPAM administrator, and up to 200,000 accounts.
const (
	maxServicePages = 100
	maxAdminPages   = 100
	maxAccountPages = 10_000
)

// caller is who sts:GetCallerIdentity says the credentials are.
type caller struct{ account, arn string }

func (c *Client) readCaller(ctx context.Context) (caller, error) {
	out, err := call(ctx, c, "sts:GetCallerIdentity", func(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
		return c.aws.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, c.stsOpt)
	})
	if err != nil {
		return caller{}, err
	}
	return caller{aws.ToString(out.Account), aws.ToString(out.Arn)}, nil
}

func (c *Client) readOrganization(ctx context.Context) (*orgtypes.Organization, error) {
	const action = "organizations:DescribeOrganization"
	out, err := call(ctx, c, action, func(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
		return c.aws.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, c.orgOpt)
	})
	if err != nil {
		return nil, err
	}
	if out.Organization == nil {
		return nil, invalidResponse(action, "no organization")
	}
	return out.Organization, nil
}

func (c *Client) readTrustedAccess(ctx context.Context) (bool, error) {
	const action = "organizations:ListAWSServiceAccessForOrganization"
	client := listServiceAccess(func(ctx context.Context, in *organizations.ListAWSServiceAccessForOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
		return call(ctx, c, action, func(ctx context.Context) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
			return c.aws.Organizations.ListAWSServiceAccessForOrganization(ctx, in, optFns...)
		})
	})
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(client, &organizations.ListAWSServiceAccessForOrganizationInput{},
		func(o *organizations.ListAWSServiceAccessForOrganizationPaginatorOptions) {
			o.StopOnDuplicateToken = true
		})
	found := false
	err := walk(ctx, c, action, maxServicePages, p, func(out *organizations.ListAWSServiceAccessForOrganizationOutput) (*string, bool) {
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
	client := listAdmins(func(ctx context.Context, in *organizations.ListDelegatedAdministratorsInput, optFns ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
		return call(ctx, c, action, func(ctx context.Context) (*organizations.ListDelegatedAdministratorsOutput, error) {
			return c.aws.Organizations.ListDelegatedAdministrators(ctx, in, optFns...)
		})
	})
	p := organizations.NewListDelegatedAdministratorsPaginator(client,
		&organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(servicePrincipal)},
		func(o *organizations.ListDelegatedAdministratorsPaginatorOptions) { o.StopOnDuplicateToken = true })
	ids := []string{}
	err := walk(ctx, c, action, maxAdminPages, p, func(out *organizations.ListDelegatedAdministratorsOutput) (*string, bool) {
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
	_, err := call(ctx, c, "iam:GetRole", func(ctx context.Context) (*iam.GetRoleOutput, error) {
		return client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)}, c.iamOpt)
	})
	switch {
	case err == nil:
		return true, nil
	case errorCode(err) == codeNoSuchEntity:
		return false, nil
	default:
		return false, err
	}
}

// orgPaginator is what the SDK's paginators of Organizations lists offer.
type orgPaginator[O any] = paginator[O, organizations.Options]

// paginator is what the SDK's paginators offer, for a service whose
// per-operation options are T.
type paginator[O, T any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*T)) (*O, error)
}

// walk fetches the pages of p (made with StopOnDuplicateToken, so that
// the SDK never loops on a token either), handing each to page, which returns the
// page's NextToken and whether to go on. It checks ctx before each page
// (a client that ignores its context cannot keep it going), and fails with
// ErrInvalidResponse when a page repeats a token already seen (a cycle,
// which the SDK's StopOnDuplicateToken would end silently, leaving the
// list cut short) or the list runs past maxPages.
func walk[O any](ctx context.Context, c *Client, action string, maxPages int, p orgPaginator[O], page func(*O) (next *string, more bool)) error {
	return walkPages(ctx, action, maxPages, p, c.orgOpt, page)
}

// walkPages is walk for any service's paginator, whose pages are fetched
// with opt.
func walkPages[O, T any](ctx context.Context, action string, maxPages int, p paginator[O, T], opt func(*T), page func(*O) (next *string, more bool)) error {
	seen := map[string]bool{}
	for n := 0; p.HasMorePages(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n == maxPages {
			return invalidResponse(action, fmt.Sprintf("more than %d pages", maxPages))
		}
		out, err := p.NextPage(ctx, opt)
		if err != nil {
			return err
		}
		next, more := page(out)
		if token := aws.ToString(next); token != "" {
			if seen[token] {
				return invalidResponse(action, fmt.Sprintf("pagination token %q a second time", truncate(token, 40)))
			}
			seen[token] = true
		}
		if !more {
			return nil
		}
	}
	return nil
}

// truncate shortens s, read from a response, for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// The SDK's paginators take a client with one method; these adapt a
// function, which checks the output (see call), to each.
type (
	listServiceAccess func(context.Context, *organizations.ListAWSServiceAccessForOrganizationInput, ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error)
	listAdmins        func(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error)
)

func (f listServiceAccess) ListAWSServiceAccessForOrganization(ctx context.Context, in *organizations.ListAWSServiceAccessForOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
	return f(ctx, in, optFns...)
}

func (f listAdmins) ListDelegatedAdministrators(ctx context.Context, in *organizations.ListDelegatedAdministratorsInput, optFns ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
	return f(ctx, in, optFns...)
}
