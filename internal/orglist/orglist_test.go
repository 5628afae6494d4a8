package orglist

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/internal/awscall"
)

// treeOrg is an Organizations that serves a hand-made tree, pages of at
// most two, with the anomalies a listing must survive: an OU listed under
// two parents, an account listed in two OUs, an account without an id.
type treeOrg struct {
	awsclient.OrganizationsAPI // the rest: unused, nil

	ous      map[string][]string  // parent: its OUs
	accounts map[string][]*string // parent: its accounts' ids
	deny     map[string]bool      // operations answering AccessDenied
	repeat   map[string]bool      // parents whose pages all end with the same token
	mu       sync.Mutex
	calls    map[string]int
}

func (o *treeOrg) called(op string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[op]++
	if o.deny[op] {
		return &orgtypes.AccessDeniedException{Message: aws.String("no")}
	}
	return nil
}

// page returns the page of items at token ("" the first) and the next
// token.
func page[T any](items []T, token *string, repeat bool) ([]T, *string) {
	start := 0
	if t := aws.ToString(token); t != "" {
		start = int(t[0] - '0')
	}
	end := min(start+2, len(items))
	switch {
	case repeat:
		return items[start:end], aws.String("2")
	case end < len(items):
		return items[start:end], aws.String(string(rune('0' + end)))
	}
	return items[start:end], nil
}

func (o *treeOrg) ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	if err := o.called("ListRoots"); err != nil {
		return nil, err
	}
	return &organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-1")}}}, nil
}

func (o *treeOrg) ListOrganizationalUnitsForParent(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	if err := o.called("ListOrganizationalUnitsForParent"); err != nil {
		return nil, err
	}
	ids, next := page(o.ous[aws.ToString(in.ParentId)], in.NextToken, false)
	out := &organizations.ListOrganizationalUnitsForParentOutput{NextToken: next}
	for _, id := range ids {
		out.OrganizationalUnits = append(out.OrganizationalUnits, orgtypes.OrganizationalUnit{Id: aws.String(id)})
	}
	return out, nil
}

func (o *treeOrg) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	if err := o.called("ListAccountsForParent"); err != nil {
		return nil, err
	}
	parent := aws.ToString(in.ParentId)
	ids, next := page(o.accounts[parent], in.NextToken, o.repeat[parent])
	out := &organizations.ListAccountsForParentOutput{NextToken: next}
	for _, id := range ids {
		out.Accounts = append(out.Accounts, orgtypes.Account{Id: id, State: orgtypes.AccountStateActive})
	}
	return out, nil
}

func (o *treeOrg) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	if err := o.called("ListAccounts"); err != nil {
		return nil, err
	}
	var all []*string
	for _, p := range []string{"r-1", "ou-a", "ou-b", "ou-c"} {
		all = append(all, o.accounts[p]...)
	}
	ids, next := page(all, in.NextToken, false)
	out := &organizations.ListAccountsOutput{NextToken: next}
	for _, id := range ids {
		out.Accounts = append(out.Accounts, orgtypes.Account{Id: id, State: orgtypes.AccountStateActive})
	}
	return out, nil
}

func newTreeOrg() *treeOrg {
	return &treeOrg{
		// ou-c is listed under ou-a and ou-b: read once.
		ous: map[string][]string{"r-1": {"ou-a", "ou-b"}, "ou-a": {"ou-c"}, "ou-b": {"ou-c"}},
		accounts: map[string][]*string{
			"r-1":  {aws.String("111111111111")},
			"ou-a": {aws.String("200000000001"), aws.String("200000000002"), aws.String("200000000003")},
			// 200000000003 again, and one without an id.
			"ou-b": {aws.String("200000000003"), nil, aws.String("200000000004")},
			"ou-c": {aws.String("200000000005")},
		},
		deny: map[string]bool{}, repeat: map[string]bool{}, calls: map[string]int{},
	}
}

func (o *treeOrg) list(t *testing.T) (ids []string, r Listed, err error) {
	t.Helper()
	r, err = List(t.Context(), o, testCalls, func(page []Account) bool {
		for _, a := range page {
			ids = append(ids, a.ID)
		}
		return true
	})
	return ids, r, err
}

var wantTreeIDs = []string{"111111111111", "200000000001", "200000000002", "200000000003", "200000000004", "200000000005"}

// TestListingTree: over a tree, the listing reads every parent's accounts
// and OUs, each OU once, and hands each account once: the set ListAccounts
// lists.
func TestListingTree(t *testing.T) {
	o := newTreeOrg()
	ids, r, err := o.list(t)
	slices.Sort(ids)
	if err != nil || !r.Tree || r.AccountsWithoutID != 1 || r.TreeDenied != nil || !slices.Equal(ids, wantTreeIDs) {
		t.Fatalf("ids %v, result %+v, err %v", ids, r, err)
	}
	// Pages of two: r-1 1, ou-a 2, ou-b 2, ou-c 1 (read once though
	// listed twice).
	if o.calls["ListAccountsForParent"] != 6 || o.calls["ListAccounts"] != 0 {
		t.Errorf("calls %v", o.calls)
	}
	flat := newTreeOrg()
	flat.deny["ListRoots"] = true
	flatIDs, r, err := flat.list(t)
	slices.Sort(flatIDs)
	if err != nil || r.Tree || !slices.Equal(flatIDs, ids) {
		t.Errorf("ListAccounts listed %v (result %+v, err %v), the tree %v", flatIDs, r, err, ids)
	}
}

// TestListingFallsBack: a tree read denied is not the end of the listing:
// ListAccounts lists the accounts, each once though the tree's pages had
// handed some already, and the result names the read denied. A denied
// ListAccounts is the end.
func TestListingFallsBack(t *testing.T) {
	for _, op := range []string{"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"} {
		t.Run(op, func(t *testing.T) {
			o := newTreeOrg()
			o.deny[op] = true
			ids, r, err := o.list(t)
			got := slices.Clone(ids)
			slices.Sort(got)
			if err != nil || r.Tree || !slices.Equal(got, wantTreeIDs) || len(ids) != len(wantTreeIDs) || o.calls["ListAccounts"] == 0 {
				t.Errorf("ids %v, result %+v, err %v, calls %v", ids, r, err, o.calls)
			}
			if want := []string{"organizations:" + op}; !slices.Equal(r.TreeDenied, want) {
				t.Errorf("tree reads denied %v, want %v", r.TreeDenied, want)
			}
		})
	}
	o := newTreeOrg()
	o.deny["ListRoots"], o.deny["ListAccounts"] = true, true
	if _, _, err := o.list(t); !awscall.AccessDenied(err) {
		t.Errorf("err = %v, want access denied", err)
	}
}

// TestListingRepeatedToken: a parent whose pages repeat their token is an
// invalid response, not a loop nor a listing cut short in silence.
func TestListingRepeatedToken(t *testing.T) {
	o := newTreeOrg()
	o.repeat["ou-a"] = true
	if _, _, err := o.list(t); !errors.Is(err, awscall.ErrInvalidResponse) {
		t.Errorf("err = %v, want ErrInvalidResponse", err)
	}
}

// TestListingNoOU: an organization without OUs is listed with
// ListAccounts, as before the tree.
func TestListingNoOU(t *testing.T) {
	const members = 45
	emu := awstest.New(awstest.WithOrganization(awstest.GenerateOrganization(members)))
	api := awsclient.NewFromConfig(emu.Config(t.Context(), awstest.DefaultManagementAccountID)).Organizations
	n := 0
	r, err := List(t.Context(), api, testCalls, func(page []Account) bool { n += len(page); return true })
	ops := emu.CallCounts()
	// The management account and the members, 20 a page (Organizations').
	accounts := members + 1
	if err != nil || r.Tree || r.TreeDenied != nil || n != accounts || ops["ListAccounts"] != (accounts+19)/20 || ops["ListAccountsForParent"] != 0 {
		t.Errorf("listed %d, result %+v, err %v, calls %v", n, r, err, ops)
	}
}

// testCalls are the calls of a Client with the default options.
var testCalls = awscall.New(nil, awscall.Retry{}, awscall.Middleware{})
