package awstest_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// treeOrg has nested OUs, accounts at every level, an empty OU and more
// than a page of children under one OU.
func treeOrg() awstest.Organization {
	org := awstest.DefaultOrganization()
	org.OUs = []string{"Workloads/Prod", "Workloads/Dev", "Empty"}
	org.Members[0].OU = "Infrastructure"
	org.Members[1].OU = "Workloads/Prod"
	for i := range 25 {
		org.Members = append(org.Members, awstest.Account{
			ID: fmt.Sprintf("4000000000%02d", i), OU: fmt.Sprintf("Sandbox/team-%02d", i),
		})
	}
	return org
}

func rootID(t *testing.T, c clients) string {
	t.Helper()
	out := must[*organizations.ListRootsOutput](t)(c.org.ListRoots(t.Context(), &organizations.ListRootsInput{}))
	if len(out.Roots) != 1 || out.NextToken != nil {
		t.Fatalf("roots = %+v", out)
	}
	r := out.Roots[0]
	if !strings.HasPrefix(aws.ToString(r.Id), "r-") || aws.ToString(r.Name) != "Root" ||
		!strings.HasPrefix(aws.ToString(r.Arn), "arn:aws:organizations::"+mgmt+":root/o-") {
		t.Fatalf("root = %+v", r)
	}
	return aws.ToString(r.Id)
}

func childOUs(t *testing.T, c clients, parent string) []orgtypes.OrganizationalUnit {
	t.Helper()
	var out []orgtypes.OrganizationalUnit
	p := organizations.NewListOrganizationalUnitsForParentPaginator(c.org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for p.HasMorePages() {
		page := must[*organizations.ListOrganizationalUnitsForParentOutput](t)(p.NextPage(t.Context()))
		if len(page.OrganizationalUnits) > 20 {
			t.Fatalf("page of %d OUs", len(page.OrganizationalUnits))
		}
		out = append(out, page.OrganizationalUnits...)
	}
	return out
}

func childAccounts(t *testing.T, c clients, parent string) []orgtypes.Account {
	t.Helper()
	var out []orgtypes.Account
	p := organizations.NewListAccountsForParentPaginator(c.org, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for p.HasMorePages() {
		page := must[*organizations.ListAccountsForParentOutput](t)(p.NextPage(t.Context()))
		out = append(out, page.Accounts...)
	}
	return out
}

func ouNames(ous []orgtypes.OrganizationalUnit) []string {
	var names []string
	for _, u := range ous {
		names = append(names, aws.ToString(u.Name))
	}
	return names
}

func accountIDs(accts []orgtypes.Account) []string {
	var ids []string
	for _, a := range accts {
		ids = append(ids, aws.ToString(a.Id))
	}
	return ids
}

func TestDefaultOrganizationIsFlat(t *testing.T) {
	_, c := startServer(t)
	root := rootID(t, c)
	if ous := childOUs(t, c, root); len(ous) != 0 {
		t.Fatalf("OUs under the root: %v", ouNames(ous))
	}
	accts := childAccounts(t, c, root)
	if got := accountIDs(accts); !slices.Equal(got, []string{mgmt, member1, member2}) {
		t.Fatalf("accounts under the root = %v", got)
	}
	org := must[*organizations.DescribeOrganizationOutput](t)(c.org.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{}))
	want := aws.ToString(org.Organization.Id) + "/" + root + "/" + member1 + "/"
	if !slices.Equal(accts[1].Paths, []string{want}) {
		t.Fatalf("paths = %v, want %s", accts[1].Paths, want)
	}
}

func TestOrganizationTree(t *testing.T) {
	srv, c := startServer(t, awstest.WithOrganization(treeOrg()))
	ctx := t.Context()
	root := rootID(t, c)

	top := childOUs(t, c, root)
	// Listed OUs first in their order, then those only accounts name.
	if got := ouNames(top); !slices.Equal(got, []string{"Workloads", "Empty", "Infrastructure", "Sandbox"}) {
		t.Fatalf("top-level OUs = %v", got)
	}
	byName := map[string]orgtypes.OrganizationalUnit{}
	for _, u := range top {
		byName[aws.ToString(u.Name)] = u
		id := aws.ToString(u.Id)
		if !strings.HasPrefix(id, "ou-"+strings.TrimPrefix(root, "r-")+"-") ||
			!strings.HasSuffix(aws.ToString(u.Path), "/"+root+"/"+id+"/") ||
			!strings.Contains(aws.ToString(u.Arn), ":ou/o-") {
			t.Fatalf("OU = %+v", u)
		}
	}
	work := aws.ToString(byName["Workloads"].Id)
	if got := ouNames(childOUs(t, c, work)); !slices.Equal(got, []string{"Prod", "Dev"}) {
		t.Fatalf("Workloads = %v", got)
	}
	if got := childOUs(t, c, aws.ToString(byName["Empty"].Id)); len(got) != 0 {
		t.Fatalf("Empty = %v", ouNames(got))
	}
	// 25 children: two pages.
	sandbox := aws.ToString(byName["Sandbox"].Id)
	teams := childOUs(t, c, sandbox)
	if len(teams) != 25 || aws.ToString(teams[24].Name) != "team-24" {
		t.Fatalf("Sandbox has %d OUs", len(teams))
	}
	if got := accountIDs(childAccounts(t, c, aws.ToString(teams[3].Id))); !slices.Equal(got, []string{"400000000003"}) {
		t.Fatalf("team-03 accounts = %v", got)
	}
	if got := accountIDs(childAccounts(t, c, root)); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("root accounts = %v", got)
	}
	if got := accountIDs(childAccounts(t, c, aws.ToString(byName["Infrastructure"].Id))); !slices.Equal(got, []string{member1}) {
		t.Fatalf("Infrastructure accounts = %v", got)
	}

	// ListParents of an account, of a nested OU and of a top-level OU.
	parents := func(child string) []orgtypes.Parent {
		t.Helper()
		return must[*organizations.ListParentsOutput](t)(c.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})).Parents
	}
	if p := parents("400000000003"); len(p) != 1 || aws.ToString(p[0].Id) != aws.ToString(teams[3].Id) || p[0].Type != orgtypes.ParentTypeOrganizationalUnit {
		t.Fatalf("parents of an account = %+v", p)
	}
	if p := parents(aws.ToString(teams[3].Id)); len(p) != 1 || aws.ToString(p[0].Id) != sandbox {
		t.Fatalf("parents of team-03 = %+v", p)
	}
	if p := parents(sandbox); len(p) != 1 || aws.ToString(p[0].Id) != root || p[0].Type != orgtypes.ParentTypeRoot {
		t.Fatalf("parents of Sandbox = %+v", p)
	}
	if p := parents(mgmt); len(p) != 1 || p[0].Type != orgtypes.ParentTypeRoot {
		t.Fatalf("parents of the management account = %+v", p)
	}

	d := must[*organizations.DescribeOrganizationalUnitOutput](t)(c.org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: teams[3].Id}))
	if *d.OrganizationalUnit.Name != "team-03" || *d.OrganizationalUnit.Path != aws.ToString(byName["Sandbox"].Path)+aws.ToString(teams[3].Id)+"/" {
		t.Fatalf("DescribeOrganizationalUnit = %+v", d.OrganizationalUnit)
	}

	// ListAccounts reports each account's path too.
	list := must[*organizations.DescribeAccountOutput](t)(c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("400000000003")}))
	if len(list.Account.Paths) != 1 || !strings.HasSuffix(list.Account.Paths[0], aws.ToString(teams[3].Id)+"/400000000003/") {
		t.Fatalf("paths = %v", list.Account.Paths)
	}
	_ = srv
}

func TestOrganizationTreeErrors(t *testing.T) {
	srv, c := startServer(t, awstest.WithOrganization(treeOrg()))
	ctx := t.Context()
	root := rootID(t, c)
	sandbox := ""
	for _, u := range childOUs(t, c, root) {
		if aws.ToString(u.Name) == "Sandbox" {
			sandbox = aws.ToString(u.Id)
		}
	}
	invalid := func(err error, reason orgtypes.InvalidInputExceptionReason) {
		t.Helper()
		var ii *orgtypes.InvalidInputException
		if !errors.As(err, &ii) || ii.Reason != reason {
			t.Fatalf("got %v, want InvalidInputException %s", err, reason)
		}
	}
	// The SDK refuses a missing ParentId itself; a raw request reaches
	// the emulator.
	r := post(t, srv, map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.ListOrganizationalUnitsForParent", "Authorization": auth("organizations")}, `{}`)
	if jsonError(t, r) != "InvalidInputException" || !strings.Contains(r.body, `"Reason":"INPUT_REQUIRED"`) {
		t.Fatalf("no ParentId: %d %s", r.status, r.body)
	}
	_, err := c.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-nope")})
	invalid(err, orgtypes.InvalidInputExceptionReasonInvalidPattern)
	_, err = c.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-abcd-12345678")})
	var pnf *orgtypes.ParentNotFoundException
	if !errors.As(err, &pnf) {
		t.Fatalf("unknown parent: %v", err)
	}
	_, err = c.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("999999999999")})
	var cnf *orgtypes.ChildNotFoundException
	if !errors.As(err, &cnf) {
		t.Fatalf("unknown child: %v", err)
	}
	_, err = c.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(root)})
	invalid(err, orgtypes.InvalidInputExceptionReasonInvalidPattern)
	_, err = c.org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-abcd-12345678")})
	var onf *orgtypes.OrganizationalUnitNotFoundException
	if !errors.As(err, &onf) {
		t.Fatalf("unknown OU: %v", err)
	}
	_, err = c.org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(root)})
	invalid(err, orgtypes.InvalidInputExceptionReasonInvalidPattern)
	_, err = c.org.ListRoots(ctx, &organizations.ListRootsInput{MaxResults: aws.Int32(21)})
	invalid(err, orgtypes.InvalidInputExceptionReasonMaxValueExceeded)

	// A page token belongs to its list and parent.
	page := must[*organizations.ListOrganizationalUnitsForParentOutput](t)(c.org.ListOrganizationalUnitsForParent(ctx,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(sandbox), MaxResults: aws.Int32(5)}))
	if len(page.OrganizationalUnits) != 5 || page.NextToken == nil {
		t.Fatalf("first page = %+v", page)
	}
	_, err = c.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), NextToken: page.NextToken})
	invalid(err, orgtypes.InvalidInputExceptionReasonInvalidPaginationToken)
	_, err = c.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(sandbox), NextToken: page.NextToken})
	invalid(err, orgtypes.InvalidInputExceptionReasonInvalidPaginationToken)

	// Only the management account and delegated administrators read the
	// tree; other members are denied; outsiders are not in an organization.
	member := as(srv, t, member2)
	for name, call := range map[string]func() error{
		"ListRoots": func() error { _, err := member.org.ListRoots(ctx, &organizations.ListRootsInput{}); return err },
		"ListOrganizationalUnitsForParent": func() error {
			_, err := member.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})
			return err
		},
		"ListAccountsForParent": func() error {
			_, err := member.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(root)})
			return err
		},
		"ListParents": func() error {
			_, err := member.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(member2)})
			return err
		},
		"DescribeOrganizationalUnit": func() error {
			_, err := member.org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(sandbox)})
			return err
		},
	} {
		var denied *orgtypes.AccessDeniedException
		if err := call(); !errors.As(err, &denied) {
			t.Errorf("%s as a member: %v, want AccessDeniedException", name, err)
		}
	}
	srv.SetDelegatedAdmins("config.amazonaws.com", member2)
	if got := childOUs(t, member, root); len(got) != 4 {
		t.Fatalf("a delegated administrator lists %d top-level OUs", len(got))
	}
	_, err = as(srv, t, "999999999999").org.ListRoots(ctx, &organizations.ListRootsInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Fatalf("outsider: %v", err)
	}
}

// TestGeneratedTree walks a generated organization of 10,000 accounts in
// 100 OUs as a tree-parallel fleet listing would, through the SDK's
// paginators, and finds every account once.
func TestGeneratedTree(t *testing.T) {
	t.Parallel() // see helpers_test.go
	n, ous := 10_000, 100
	if testing.Short() {
		n = 1_000
	}
	org := awstest.GenerateOrganizationTree(n, ous)
	emu := awstest.New(awstest.WithOrganization(org))
	c := memClients(t, emu, mgmt)
	root := rootID(t, c)

	seen := map[string]bool{}
	depth, maxDepth, ouCount := map[string]int{root: 0}, 0, 0
	queue := []string{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, a := range childAccounts(t, c, parent) {
			id := aws.ToString(a.Id)
			if seen[id] {
				t.Fatalf("account %s listed twice", id)
			}
			seen[id] = true
		}
		for _, u := range childOUs(t, c, parent) {
			id := aws.ToString(u.Id)
			depth[id] = depth[parent] + 1
			maxDepth = max(maxDepth, depth[id])
			ouCount++
			queue = append(queue, id)
		}
	}
	if len(seen) != n+1 || ouCount != ous || maxDepth != 2 {
		t.Fatalf("found %d accounts in %d OUs %d deep, want %d in %d, 2 deep", len(seen), ouCount, maxDepth, n+1, ous)
	}
	if got := awstest.GenerateOrganizationTree(100_000, 1000).OUs; len(got) != 1000 || strings.Count(got[999], "/") != 2 {
		t.Fatalf("1,000 OUs: %d, the last %q", len(got), got[len(got)-1])
	}
}

func BenchmarkNewGenerated(b *testing.B) {
	for _, size := range []struct{ accounts, ous int }{{10_000, 100}, {100_000, 1000}} {
		b.Run(fmt.Sprintf("%d-accounts-%d-OUs", size.accounts, size.ous), func(b *testing.B) {
			b.ReportAllocs()
			var emu *awstest.Emulator
			for b.Loop() {
				emu = awstest.New(awstest.WithOrganization(awstest.GenerateOrganizationTree(size.accounts, size.ous)))
			}
			// What the emulator keeps per account once the spec is garbage.
			var before, after runtime.MemStats
			emu = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			emu = awstest.New(awstest.WithOrganization(awstest.GenerateOrganizationTree(size.accounts, size.ous)))
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(size.accounts), "retained-B/account")
			runtime.KeepAlive(emu)
		})
	}
}
