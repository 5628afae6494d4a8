package ipamorg_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// What IPAM itself sees: the delegated administrator's IPAM monitors every
// account but one, whose AWSServiceRoleForIPAM is missing.
func ExampleClient_Monitoring() {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = "222222222222"
	emu := awstest.New(awstest.WithOrganization(org),
		awstest.WithIPAMs(awstest.IPAMSpec{Owner: "222222222222", OperatingRegions: []string{"us-east-1", "eu-west-1"}}),
		awstest.WithoutRole("333333333333", awstest.IPAMRoleName))

	ctx := context.Background()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111")) // the management account
	if err != nil {
		panic(err)
	}
	m, err := c.Monitoring(ctx)
	if err != nil {
		panic(err)
	}
	for _, ip := range m.IPAMs {
		fmt.Println("ipam", ip.ID, "in", ip.Region, "operating in", ip.OperatingRegions, "organization-wide:", ip.OrganizationWide)
	}
	for _, a := range m.Accounts {
		fmt.Println(a.AccountID, a.Region, "monitored:", a.Monitored, orDash(a.FailureCode))
	}
	for _, w := range m.Warnings {
		fmt.Println("warning:", w.Code)
	}
	fmt.Println("complete:", m.Complete())
	// Output:
	// ipam ipam-abe5fa74f6c52cfc2 in us-east-1 operating in [eu-west-1 us-east-1] organization-wide: true
	// 111111111111 eu-west-1 monitored: true -
	// 111111111111 us-east-1 monitored: true -
	// 222222222222 eu-west-1 monitored: true -
	// 222222222222 us-east-1 monitored: true -
	// 333333333333 eu-west-1 monitored: false assume-role-failure
	// 333333333333 us-east-1 monitored: false assume-role-failure
	// warning: discovery-assume-role-failure
	// complete: false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// A teardown while the delegated administrator still owns an IPAM is
// refused before anything is written, with the command that deletes it.
func ExampleClient_Reconcile_refusedTeardown() {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = "222222222222"
	emu := awstest.New(awstest.WithOrganization(org), awstest.WithIPAMs(awstest.IPAMSpec{Owner: "222222222222"}))

	ctx := context.Background()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111"))
	if err != nil {
		panic(err)
	}
	_, err = c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateNone})
	fmt.Println(errors.Is(err, ipamorg.ErrIPAMResourcesExist))
	fmt.Println(err)
	fmt.Println("writes:", len(emu.Writes()))
	// Output:
	// true
	// ipamorg: reconcile remove-delegate (delegated -> trusted) account 222222222222: the ipam delegated administrator still owns ipams: 1 ipam(s), an ipam being deleted counting until it is gone: ipam-abe5fa74f6c52cfc2 in us-east-1 (create-complete); delete each with the credentials of account 222222222222: aws ec2 delete-ipam --ipam-id ipam-abe5fa74f6c52cfc2 --cascade --region us-east-1; then plan again, or set AllowIPAMResources to proceed anyway; nothing was written (done: none; not done: remove-delegate, disable-trusted-access, delete-service-linked-role)
	// writes: 0
}
