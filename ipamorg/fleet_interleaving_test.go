package ipamorg_test

// How the fleet verification's calls interleave, seen in testing/synctest
// bubbles over the in-memory emulator: a fault's latency holds chosen
// calls for a span of fake time, and synctest.Wait returns once every
// goroutine is blocked, so what the audit log holds then is exact.

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// Every AssumeRole takes a minute: requests that arrive at the same
// instant are in flight together, and one that arrives later waits for an
// earlier one's answer. The bound is reached, and never passed.
func TestVerifyServiceLinkedRolesConcurrencyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bound, members = 4, 20
		org, _ := fleetOrg(members)
		emu := awstest.New(awstest.WithOrganization(org))
		emu.InjectFault("AssumeRole", awstest.Fault{Latency: time.Minute})
		r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
			o.Concurrency = bound
			o.RateLimits = noLimits
		})
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || len(r.Accounts) != members+1 {
			t.Errorf("report %+v", r)
		}
		arrived := map[time.Time]int{}
		for _, req := range emu.Calls("AssumeRole") {
			arrived[req.Time]++
		}
		if len(arrived) != members/bound {
			t.Errorf("AssumeRole arrived at %d instants, want %d: %v", len(arrived), members/bound, arrived)
		}
		for at, n := range arrived {
			if n != bound {
				t.Errorf("%d AssumeRole in flight from %v, want %d", n, at, bound)
			}
		}
	})
}

// The listing's pages after the first take an hour each: the first page's
// accounts are all checked meanwhile, not after the listing.
func TestVerifyServiceLinkedRolesChecksWhileListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		org, _ := fleetOrg(45) // three pages: 20, 20, 6
		emu := awstest.New(awstest.WithOrganization(org))
		emu.InjectFault("ListAccounts", awstest.Fault{Count: 1})
		emu.InjectFault("ListAccounts", awstest.Fault{Latency: time.Hour})
		var (
			mu   sync.Mutex
			last ipamorg.FleetProgress
		)
		done := make(chan *ipamorg.FleetReport)
		c := memClient(t, emu)
		go func() {
			r, err := c.VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
				o.RateLimits = noLimits
				o.Progress = func(p ipamorg.FleetProgress) { mu.Lock(); last = p; mu.Unlock() }
			})
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		synctest.Wait() // the second page is held
		mu.Lock()
		if last != (ipamorg.FleetProgress{Listed: 20, Checked: 20}) {
			t.Errorf("progress %+v while the second page is held, want the first page checked", last)
		}
		mu.Unlock()
		if n := emu.CountCalls("ListAccounts"); n != 1 {
			t.Errorf("%d pages answered, want 1", n)
		}
		r := <-done
		if r == nil || !r.OK() || r.Total != 46 || len(r.Accounts) != 46 {
			t.Errorf("report %+v", r)
		}
	})
}

// Cancelled while two checks are in flight: the report keeps the accounts
// checked before, leaves out those cut short, and the error says why.
func TestVerifyServiceLinkedRolesCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		org, _ := fleetOrg(10)
		emu := awstest.New(awstest.WithOrganization(org))
		// Three members are assumed into; the others hang until cancelled.
		emu.InjectFault("AssumeRole", awstest.Fault{Count: 3})
		emu.InjectFault("AssumeRole", awstest.Fault{Latency: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		var last ipamorg.FleetProgress
		type outcome struct {
			r   *ipamorg.FleetReport
			err error
		}
		done := make(chan outcome)
		c := memClient(t, emu)
		go func() {
			r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) {
				o.Concurrency = 2
				o.RateLimits = noLimits
				o.Progress = func(p ipamorg.FleetProgress) { last = p }
			})
			done <- outcome{r, err}
		}()
		synctest.Wait()
		cancel()
		o := <-done
		if !errors.Is(o.err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", o.err)
		}
		if o.r == nil || o.r.Complete || o.r.Total != 11 || !o.r.ListingComplete {
			t.Fatalf("report %+v", o.r)
		}
		// The accounts whose role was read: the caller's and the three
		// assumed into.
		want := map[string]ipamorg.RoleResult{}
		for _, a := range emu.Callers("GetRole") {
			want[a] = ipamorg.RolePresent
		}
		if got := results(o.r); len(want) != 4 || want[mgmt] == "" || !maps.Equal(got, want) {
			t.Errorf("results %v, want %v (cancelled accounts are left out)", got, want)
		}
		if got := codesOf(emu.Calls("AssumeRole")); !slices.Equal(got, []string{"", "", "", "RequestCanceled", "RequestCanceled"}) {
			t.Errorf("AssumeRole answered %q, want three, then the two in flight cancelled", got)
		}
		if last != (ipamorg.FleetProgress{Listed: 11, Checked: 4, ListingDone: true}) {
			t.Errorf("last progress %v", last)
		}
	})
}
