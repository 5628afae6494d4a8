package ipamorg_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The examples run against the awstest emulator, in memory, through the AWS
// SDK's real clients: awstest.New holds an organization with management
// account 111111111111 and members 222222222222 and 333333333333, and its
// Config acts as the account it is given. In real use, build the Client
// from the management account's aws.Config (config.LoadDefaultConfig).

func ExampleClient_Observe() {
	// An organization where IPAM is already integrated.
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = "222222222222"
	emu := awstest.New(awstest.WithOrganization(org))

	ctx := context.Background()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111")) // the management account
	if err != nil {
		panic(err)
	}
	st, err := c.Observe(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("state:", st.State)
	fmt.Println("delegated admin:", st.DelegatedAdmin)
	fmt.Println("service-linked role:", st.ServiceLinkedRole)
	fmt.Println("warnings:", len(st.Warnings))
	// Output:
	// state: delegated
	// delegated admin: 222222222222
	// service-linked role: true
	// warnings: 0
}

func ExampleClient_Reconcile() {
	ctx := context.Background()
	emu := awstest.New()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111"), func(o *ipamorg.Options) {
		o.OnTransition = func(t ipamorg.Transition) {
			fmt.Printf("  %s: %s -> %s %s\n", t.Event, t.From, t.To, t.Account)
		}
	})
	if err != nil {
		panic(err)
	}

	desired := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"}
	fmt.Println("first run:")
	res, err := c.Reconcile(ctx, desired)
	if err != nil {
		panic(err)
	}
	fmt.Println("now", res.Status.State, res.Status.DelegatedAdmin)

	// Level-based: running it again changes nothing.
	res, err = c.Reconcile(ctx, desired)
	if err != nil {
		panic(err)
	}
	fmt.Println("second run:", len(res.Transitions), "transitions")

	// The emulator's audit log: one AWS write in all.
	for _, w := range emu.Writes() {
		fmt.Println("write:", w.Action)
	}
	// Output:
	// first run:
	//   enable-trusted-access: none -> trusted 222222222222
	//   delegate: trusted -> delegated 222222222222
	// now delegated 222222222222
	// second run: 0 transitions
	// write: ec2:EnableIpamOrganizationAdminAccount
}

func ExampleClient_Plan() {
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = "222222222222"
	emu := awstest.New(awstest.WithOrganization(org))

	ctx := context.Background()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111"))
	if err != nil {
		panic(err)
	}
	p, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDisabled})
	if err != nil {
		panic(err)
	}
	fmt.Print(p)
	// Output:
	// IPAM organization integration: delegated (delegated admin 222222222222) -> disabled
	//
	//   1. remove-delegate              delegated -> trusted
	//        call     ec2:DisableIpamOrganizationAdminAccount
	//        account  222222222222
	//   2. disable-trusted-access       trusted -> disabled
	//        call     organizations:DisableAWSServiceAccess
	//
	// Plan: 2 step(s).
}

// Errors match their category with errors.Is; guards refuse a move before
// anything is written.
func Example_errors() {
	ctx := context.Background()
	emu := awstest.New()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111"))
	if err != nil {
		panic(err)
	}

	_, err = c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateTrusted})
	fmt.Println(errors.Is(err, ipamorg.ErrTrustedAccessRequiresDelegation))

	_, err = c.Delegate(ctx, "111111111111")
	fmt.Println(errors.Is(err, ipamorg.ErrManagementAccountAsDelegate))

	_, err = c.Delegate(ctx, "999999999999")
	fmt.Println(errors.Is(err, ipamorg.ErrAccountNotInOrganization))

	_, err = c.RemoveDelegate(ctx)
	fmt.Println(errors.Is(err, fsm.ErrInvalidTransition))

	member, err := ipamorg.NewFromConfig(emu.Config(ctx, "222222222222"))
	if err != nil {
		panic(err)
	}
	_, err = member.Delegate(ctx, "333333333333")
	fmt.Println(errors.Is(err, ipamorg.ErrNotManagementAccount))
	fmt.Println(err)
	// A controller need not requeue: retrying cannot help.
	fmt.Println("terminal:", ipamorg.IsTerminal(err))

	// None of the refusals reached AWS with a write.
	fmt.Println("writes:", len(emu.Writes()))
	// Output:
	// true
	// true
	// true
	// true
	// true
	// ipamorg: delegate: caller is not the management account: caller 222222222222, management account 111111111111
	// terminal: true
	// writes: 0
}

// Warnings carry a stable code to match and a message for people. Here
// trusted access was enabled through Organizations, not IPAM, which leaves
// IPAM without its service-linked role.
func ExampleWarning() {
	ctx := context.Background()
	emu := awstest.New()
	emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, "111111111111"))
	if err != nil {
		panic(err)
	}
	st, err := c.Observe(ctx)
	if err != nil {
		panic(err)
	}
	for _, w := range st.Warnings {
		fmt.Println(st.State, w.Code, w.Anomaly())
	}
	// Output:
	// trusted wrong-enable-path false
}

func ExampleRequiredPermissions() {
	fmt.Println(ipamorg.RequiredPermissions(fsm.EventDisableTrustedAccess))
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "IpamObserve",
	//       "Effect": "Allow",
	//       "Action": [
	//         "organizations:DescribeAccount",
	//         "organizations:DescribeOrganization",
	//         "organizations:ListAWSServiceAccessForOrganization",
	//         "organizations:ListDelegatedAdministrators"
	//       ],
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "IpamObserveServiceLinkedRole",
	//       "Effect": "Allow",
	//       "Action": [
	//         "iam:GetRole"
	//       ],
	//       "Resource": [
	//         "arn:aws:iam::*:role/aws-service-role/ipam.amazonaws.com/AWSServiceRoleForIPAM",
	//         "arn:aws:iam::*:role/AWSServiceRoleForIPAM"
	//       ]
	//     },
	//     {
	//       "Sid": "IpamDisableTrustedAccess",
	//       "Effect": "Allow",
	//       "Action": [
	//         "organizations:DisableAWSServiceAccess"
	//       ],
	//       "Resource": "*"
	//     }
	//   ]
	// }
}
