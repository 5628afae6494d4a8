package awscall

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

var testCalls = New(nil, Retry{}, Middleware{})

// roots serves ListRoots from tokens: the page asked for with token t
// (""  the first) answers tokens[t], "" for the last page; a nil output
// where nilAt is the token asked for.
type roots struct {
	tokens map[string]string
	nilAt  string
	pages  int
}

func (r *roots) ListRoots(_ context.Context, in *organizations.ListRootsInput, _ ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	r.pages++
	token := aws.ToString(in.NextToken)
	if r.nilAt != "" && token == r.nilAt {
		return nil, nil
	}
	out := &organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-" + token)}}}
	if next := r.tokens[token]; next != "" {
		out.NextToken = aws.String(next)
	}
	return out, nil
}

func walk(ctx context.Context, r *roots, maxPages int) (int, error) {
	p := organizations.NewListRootsPaginator(Pages(testCalls, "organizations:ListRoots", r.ListRoots), &organizations.ListRootsInput{},
		func(o *organizations.ListRootsPaginatorOptions) { o.StopOnDuplicateToken = true })
	n := 0
	err := WalkPages(ctx, "organizations:ListRoots", maxPages, p, testCalls.Organizations, func(out *organizations.ListRootsOutput) (*string, bool) {
		n += len(out.Roots)
		return out.NextToken, true
	})
	return n, err
}

// TestWalk: every page is handed over, once; a token seen before, more
// pages than the cap and a nil output are invalid responses, a context
// that ended stops the walk before the next page.
func TestWalk(t *testing.T) {
	n, err := walk(t.Context(), &roots{tokens: map[string]string{"": "a", "a": "b"}}, 10)
	if err != nil || n != 3 {
		t.Errorf("listed %d, err %v; want 3", n, err)
	}
	for name, r := range map[string]*roots{
		"cycle":      {tokens: map[string]string{"": "a", "a": "b", "b": "a"}},
		"same":       {tokens: map[string]string{"": "a", "a": "a"}},
		"too many":   {tokens: map[string]string{"": "a", "a": "b", "b": "c", "c": "d"}},
		"nil output": {tokens: map[string]string{"": "a", "a": "b"}, nilAt: "a"},
	} {
		if _, err := walk(t.Context(), r, 3); !errors.Is(err, ErrInvalidResponse) {
			t.Errorf("%s: err = %v, want ErrInvalidResponse", name, err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := &roots{}
	if _, err := walk(ctx, r, 3); !errors.Is(err, context.Canceled) || r.pages != 0 {
		t.Errorf("cancelled: err %v after %d pages", err, r.pages)
	}
}
