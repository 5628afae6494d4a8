package ipamorg_test

import (
	"errors"
	"math"
	"testing"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// Options the verification cannot act on are refused before any call.
func TestVerifyServiceLinkedRolesInvalidOptions(t *testing.T) {
	t.Run("no MemberIAM", func(t *testing.T) {
		emu := awstest.New()
		cl := realClients(t, emu)
		cl.MemberIAM = nil
		_, err := newFromClients(t, cl).VerifyServiceLinkedRoles(t.Context())
		if !errors.Is(err, ipamorg.ErrInvalidOptions) || !errors.Is(err, awsclient.ErrMissingClient) {
			t.Errorf("err = %v", err)
		}
		if got := emu.Requests(); len(got) != 0 {
			t.Errorf("%d requests sent: %+v", len(got), got)
		}
	})
	for name, o := range map[string]ipamorg.VerifyOptions{
		"negative concurrency":        {Concurrency: -1},
		"negative Organizations rate": {RateLimits: ipamorg.RateLimits{Organizations: -1}},
		"NaN STS rate":                {RateLimits: ipamorg.RateLimits{STS: math.NaN()}},
		"concurrency above the bound": {Concurrency: ipamorg.MaxVerifyConcurrency + 1},
		"concurrency that overflows":  {Concurrency: math.MaxInt},
		"repair and purge":            {Repair: true, Purge: true},
	} {
		t.Run(name, func(t *testing.T) {
			emu := awstest.New()
			_, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(v *ipamorg.VerifyOptions) { *v = o })
			var e *ipamorg.Error
			if !errors.Is(err, ipamorg.ErrInvalidOptions) || !errors.As(err, &e) || e.Op != "verify-service-linked-roles" {
				t.Errorf("err = %v", err)
			}
			if got := emu.Requests(); len(got) != 0 {
				t.Errorf("%d requests sent: %+v", len(got), got)
			}
		})
	}
}

func TestVerifyServiceLinkedRolesListingErrors(t *testing.T) {
	t.Run("denied", func(t *testing.T) {
		emu := awstest.New(awstest.WithMembers(3))
		emu.InjectFault("ListAccounts", awstest.Fault{Code: "AccessDeniedException"})
		r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context())
		if !errors.Is(err, ipamorg.ErrAccessDenied) || r != nil {
			t.Errorf("got %v, %v", r, err)
		}
		if n := emu.CountCalls("AssumeRole") + emu.CountCalls("GetRole"); n != 0 {
			t.Errorf("%d accounts checked", n)
		}
	})
	t.Run("denied on a later page", func(t *testing.T) {
		org, member := fleetOrg(25) // two pages: 20 accounts, then 6
		emu := awstest.New(awstest.WithOrganization(org))
		emu.InjectFault("ListAccounts", awstest.Fault{Count: 1}) // the first page is answered
		emu.InjectFault("ListAccounts", awstest.Fault{Code: "AccessDeniedException"})
		r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) { o.RateLimits = noLimits })
		if !errors.Is(err, ipamorg.ErrAccessDenied) || r == nil {
			t.Fatalf("got %v, %v", r, err)
		}
		// The first page's accounts were listed; each was checked, or
		// left unchecked if no worker had taken it yet.
		if r.Complete || r.ListingComplete || r.Total != 20 || len(r.Accounts) > 20 {
			t.Errorf("complete %v listing complete %v total %d accounts %+v", r.Complete, r.ListingComplete, r.Total, r.Accounts)
		}
		firstPage := map[string]bool{mgmt: true}
		for i := range 19 {
			firstPage[member(i)] = true
		}
		for _, a := range r.Accounts {
			if !firstPage[a.AccountID] || a.Result != ipamorg.RolePresent {
				t.Errorf("account %+v", a)
			}
		}
	})
	t.Run("organization not in use", func(t *testing.T) {
		emu := awstest.New()
		emu.InjectFault("ListAccounts", awstest.Fault{Code: "AWSOrganizationsNotInUseException"})
		_, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context())
		if !errors.Is(err, ipamorg.ErrOrganizationNotFound) {
			t.Errorf("err = %v", err)
		}
	})
}

// An error no result names, in one account, is that account's alone.
func TestVerifyServiceLinkedRolesErrorInOneAccount(t *testing.T) {
	org, _ := fleetOrg(2)
	emu := awstest.New(awstest.WithOrganization(org))
	emu.InjectFault("AssumeRole", awstest.Fault{Code: "RegionDisabledException", Count: 1})
	r, err := memClient(t, emu).VerifyServiceLinkedRoles(t.Context(), func(o *ipamorg.VerifyOptions) {
		o.Concurrency = 1
		o.RateLimits = noLimits
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts[ipamorg.RoleError] != 1 || r.Counts[ipamorg.RolePresent] != 2 {
		t.Errorf("counts %v", r.Counts)
	}
	for _, a := range r.Accounts {
		var e *ipamorg.Error
		if a.Result == ipamorg.RoleError && (!errors.As(a.Err, &e) || e.Action != "sts:AssumeRole") {
			t.Errorf("%s: %v", a.AccountID, a.Err)
		}
	}
}
