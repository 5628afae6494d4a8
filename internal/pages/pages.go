// Package pages walks AWS's paginated lists through the SDK's paginators:
// Checked makes a client's list method the paginator's client, each page
// going through awscall.Call (so a nil output is an error, never a
// dereference), and Walk fetches the pages, checking the context before
// each, failing on a token seen before (which the SDK's
// StopOnDuplicateToken would end silently, cutting the list short), and
// capping the pages. See docs/architecture.md, "Reading lists".
package pages

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamorg/sdk/internal/awscall"
)

// Paginator is what the SDK's paginators offer, for a service whose
// per-operation options are T.
type Paginator[O, T any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*T)) (*O, error)
}

// Walk fetches the pages of p (made with StopOnDuplicateToken, so that the
// SDK never loops on a token either) with opt, handing each to page, which
// returns the page's NextToken and whether to go on. It checks ctx before
// each page (a client that ignores its context cannot keep it going), and
// fails with awscall.ErrInvalidResponse when a page repeats a token
// already seen or the list runs past maxPages.
func Walk[O, T any](ctx context.Context, action string, maxPages int, p Paginator[O, T], opt func(*T), page func(*O) (next *string, more bool)) error {
	seen := map[string]bool{}
	for n := 0; p.HasMorePages(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n == maxPages {
			return awscall.InvalidResponse(action, fmt.Sprintf("more than %d pages", maxPages))
		}
		out, err := p.NextPage(ctx, opt)
		if err != nil {
			return err
		}
		next, more := page(out)
		if token := aws.ToString(next); token != "" {
			if seen[token] {
				return awscall.InvalidResponse(action, fmt.Sprintf("pagination token %q a second time", awscall.Truncate(token, 40)))
			}
			seen[token] = true
		}
		if !more {
			return nil
		}
	}
	return nil
}

// Checked returns list, a client's list method, as the client of the SDK's
// paginator of that list: each page it fetches goes through awscall.Call
// with calls, named action.
func Checked[I, O, T any](calls *awscall.Calls, action string, list func(context.Context, *I, ...func(*T)) (*O, error)) Client[I, O, T] {
	return func(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
		return awscall.Call(ctx, calls, action, func(ctx context.Context) (*O, error) {
			return list(ctx, in, optFns...)
		})
	}
}

// Client is a list method as the client of the SDK's paginators, whose
// constructors take a client with one method named after the operation.
// It has a method of each name the library lists with, each calling the
// function; a paginator's client interface takes only the one whose
// input and output are its operation's.
type Client[I, O, T any] func(context.Context, *I, ...func(*T)) (*O, error)

// Organizations.

func (f Client[I, O, T]) ListAWSServiceAccessForOrganization(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) ListDelegatedAdministrators(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) ListAccounts(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) ListRoots(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) ListOrganizationalUnitsForParent(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) ListAccountsForParent(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

// EC2.

func (f Client[I, O, T]) DescribeIpams(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) DescribeIpamResourceDiscoveryAssociations(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) DescribeIpamResourceDiscoveries(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f Client[I, O, T]) GetIpamDiscoveredAccounts(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}
