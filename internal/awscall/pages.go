package awscall

// Walking AWS's paginated lists through the SDK's paginators: Pages makes a
// client's list method the paginator's client, each page going through
// Call (so a nil output is an error, never a dereference), and WalkPages
// fetches the pages, checking the context before each, failing on a token
// seen before (which the SDK's StopOnDuplicateToken would end silently,
// cutting the list short), and capping the pages. See docs/architecture.md,
// "Reading lists".

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Paginator is what the SDK's paginators offer, for a service whose
// per-operation options are T.
type Paginator[O, T any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*T)) (*O, error)
}

// WalkPages fetches the pages of p (made with StopOnDuplicateToken, so that
// the SDK never loops on a token either) with opt, handing each to page,
// which returns the page's NextToken and whether to go on. It checks ctx
// before each page (a client that ignores its context cannot keep it
// going), and fails with ErrInvalidResponse when a page repeats a token
// already seen or the list runs past maxPages.
func WalkPages[O, T any](ctx context.Context, action string, maxPages int, p Paginator[O, T], opt func(*T), page func(*O) (next *string, more bool)) error {
	seen := map[string]bool{}
	for n := 0; p.HasMorePages(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n == maxPages {
			return InvalidResponse(action, fmt.Sprintf("more than %d pages", maxPages))
		}
		out, err := p.NextPage(ctx, opt)
		if err != nil {
			return err
		}
		next, more := page(out)
		if token := aws.ToString(next); token != "" {
			if seen[token] {
				return InvalidResponse(action, fmt.Sprintf("pagination token %q a second time", Truncate(token, 40)))
			}
			seen[token] = true
		}
		if !more {
			return nil
		}
	}
	return nil
}

// Pages returns list, a client's list method, as the client of the SDK's
// paginator of that list: each page it fetches goes through Call
// with calls, named action.
func Pages[I, O, T any](calls *Calls, action string, list func(context.Context, *I, ...func(*T)) (*O, error)) PageClient[I, O, T] {
	return func(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
		return Call(ctx, calls, action, func(ctx context.Context) (*O, error) {
			return list(ctx, in, optFns...)
		})
	}
}

// PageClient is a list method as the client of the SDK's paginators, whose
// constructors take a client with one method named after the operation.
// It has a method of each name the library lists with, each calling the
// function; a paginator's client interface takes only the one whose
// input and output are its operation's.
type PageClient[I, O, T any] func(context.Context, *I, ...func(*T)) (*O, error)

// Organizations.

func (f PageClient[I, O, T]) ListAWSServiceAccessForOrganization(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) ListDelegatedAdministrators(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) ListAccounts(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) ListRoots(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) ListOrganizationalUnitsForParent(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) ListAccountsForParent(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

// EC2.

func (f PageClient[I, O, T]) DescribeIpams(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) DescribeIpamResourceDiscoveryAssociations(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) DescribeIpamResourceDiscoveries(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}

func (f PageClient[I, O, T]) GetIpamDiscoveredAccounts(ctx context.Context, in *I, optFns ...func(*T)) (*O, error) {
	return f(ctx, in, optFns...)
}
