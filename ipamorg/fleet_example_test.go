package ipamorg_test

import (
	"context"
	"fmt"
	"math"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

// An organization of 50 members, integrated with IPAM, where one member
// lost AWSServiceRoleForIPAM: the check names it, the repair recreates it.
func ExampleClient_VerifyServiceLinkedRoles() {
	org := awstest.GenerateOrganization(50)
	org.IPAMDelegatedAdmin = org.Members[0].ID
	emu := awstest.New(awstest.WithOrganization(org))
	emu.DeleteIPAMRole("200000000042")

	ctx := context.Background()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, awstest.DefaultManagementAccountID))
	if err != nil {
		panic(err)
	}
	// No AWS to protect from throttling here; against AWS keep the default.
	noLimits := func(o *ipamorg.VerifyOptions) {
		o.RateLimits = ipamorg.RateLimits{Organizations: math.Inf(1), STS: math.Inf(1)}
	}
	r, err := c.VerifyServiceLinkedRoles(ctx, noLimits)
	if err != nil {
		panic(err)
	}
	fmt.Println("accounts:", r.Total, "present:", r.Counts[ipamorg.RolePresent], "missing:", r.Missing())

	r, err = c.VerifyServiceLinkedRoles(ctx, noLimits, func(o *ipamorg.VerifyOptions) { o.Repair = true })
	if err != nil {
		panic(err)
	}
	fmt.Println("repaired:", r.Repaired(), "ok:", r.OK())
	// Output:
	// accounts: 51 present: 50 missing: [200000000042]
	// repaired: [200000000042] ok: true
}
