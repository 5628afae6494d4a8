package ipamorg_test

import (
	"context"
	"fmt"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

func ExampleClient_CheckPermissions() {
	ctx := context.Background()
	emu := awstest.New()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111")) // the management account
	if err != nil {
		panic(err)
	}
	p, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"})
	if err != nil {
		panic(err)
	}
	r, err := c.CheckPermissions(ctx, p) // DryRun only: nothing changes
	if err != nil {
		panic(err)
	}
	for _, check := range r.Checks {
		fmt.Printf("%s: %s", check.Event, check.Result)
		if check.Code != "" {
			fmt.Printf(" (%s)", check.Code) // AWS's answer to the dry run
		}
		fmt.Println()
		for _, a := range check.Unverified {
			fmt.Println("  also needs", a)
		}
	}
	fmt.Println("denied:", len(r.Denied()), "writes:", len(emu.Writes()))
	// Output:
	// enable-trusted-access: no-call
	// delegate: allowed (DryRunOperation)
	//   also needs iam:CreateServiceLinkedRole
	//   also needs organizations:EnableAWSServiceAccess
	//   also needs organizations:RegisterDelegatedAdministrator
	// denied: 0 writes: 0
}
