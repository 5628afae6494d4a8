package sdk_test

// README's snippets about monitoring, the teardown's IPAM guard and the
// purge, line for line, run against the emulator (see
// readme_snippets_test.go).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// readmeMonitoring is README's Monitoring snippet.
func readmeMonitoring(ctx context.Context, c *ipamorg.Client) error {
	m, err := c.Monitoring(ctx) // what IPAM itself sees, read in the delegated administrator's account
	if err != nil {
		return err // ErrNoDelegatedAdmin, ErrNoIPAM, ErrAdminUnreachable, ...
	}
	for _, a := range m.Unmonitored() {
		fmt.Println(a.AccountID, a.Region, a.FailureCode) // FailureCode "" while not discovered yet
	}
	for _, w := range m.Warnings {
		fmt.Println(w.Code, w.Message) // each with its fix
	}
	fmt.Println("complete:", m.Complete())
	return nil
}

// readmePipeline is README's "delegate, create the IPAM, wait" snippet;
// createIPAM stands for the administrator's own step.
func readmePipeline(ctx context.Context, c *ipamorg.Client, createIPAM func(context.Context) error) error {
	if _, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"}); err != nil {
		return err
	}
	if err := createIPAM(ctx); err != nil { // as the administrator: ec2:CreateIpam with its own credentials
		return err
	}
	m, err := c.WaitMonitored(ctx) // polls on Options.Wait, for at most MaxWait
	if errors.Is(err, ipamorg.ErrWaitTimeout) {
		return fmt.Errorf("%d account-region(s) still not monitored: %w", len(m.Unmonitored()), err)
	}
	return err
}

// readmeTeardown is README's refused-teardown snippet.
func readmeTeardown(ctx context.Context, c *ipamorg.Client) error {
	_, err := c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateNone})
	var inTheWay *ipamorg.IPAMResourcesError
	if errors.As(err, &inTheWay) { // ErrIPAMResourcesExist: nothing was written
		for _, ip := range inTheWay.IPAMs {
			fmt.Println("as", inTheWay.Admin+":", ip.DeleteCommand())
		}
	}
	return err
}

// readmePurge is README's purge snippet.
func readmePurge(ctx context.Context, c *ipamorg.Client) error {
	r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Purge = true }) // after the teardown
	if err != nil {
		return err // ErrIntegrationActive while trusted or delegated
	}
	fmt.Println("purged:", r.Purged())
	return nil
}

// readmeAccessOptions is README's access-role snippet.
func readmeAccessOptions(cfg aws.Config) (*ipamorg.Client, error) {
	c, err := ipamorg.NewFromConfig(cfg, func(o *ipamorg.Options) {
		o.AccessRole = "audit/IpamReader"                  // in the admin's account (Monitoring, the teardown's guard) and the members' (verify)
		o.IPAMRegions = []string{"us-east-1", "eu-west-1"} // instead of every Region enabled there
	})
	return c, err
}

// readmePolicies is README's "Permissions" snippet of the policies by
// account.
func readmePolicies() {
	p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		o.Events = fsm.Events()
		o.Monitoring = true
		o.AccessRole = "audit/IpamReader"
	})
	fmt.Println(p.Management) // for the management account's principal
	fmt.Println(p.IPAMAdmin)  // for audit/IpamReader in the delegated administrator's account
}

// TestREADMEMonitoringFlow runs the snippets in the order a platform team
// would: delegate, create the IPAM as the administrator, wait; look; be
// refused the teardown; delete the IPAM; tear down; purge.
func TestREADMEMonitoringFlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		emu := awstest.New()
		c, err := ipamorg.NewFromConfig(emu.Config(ctx, awstest.DefaultManagementAccountID))
		if err != nil {
			t.Fatal(err)
		}
		admin := ec2.NewFromConfig(emu.Config(ctx, awstest.DefaultMemberAccountID1))
		var ipamID string
		err = readmePipeline(ctx, c, func(ctx context.Context) error {
			out, err := admin.CreateIpam(ctx, &ec2.CreateIpamInput{})
			if err == nil {
				ipamID = aws.ToString(out.Ipam.IpamId)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := readmeMonitoring(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := readmeTeardown(ctx, c); !errors.Is(err, ipamorg.ErrIPAMResourcesExist) {
			t.Fatalf("teardown: %v, want ErrIPAMResourcesExist", err)
		}
		if _, err := admin.DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: aws.String(ipamID), Cascade: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if err := readmeTeardown(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := readmePurge(ctx, c); err != nil {
			t.Fatal(err)
		}
		if left := emu.Snapshot().IPAMRoleAccounts(); len(left) != 0 {
			t.Errorf("AWSServiceRoleForIPAM left in %v", left)
		}
	})
}

func TestREADMEAccessOptions(t *testing.T) {
	emu := awstest.New()
	if _, err := readmeAccessOptions(emu.Config(context.Background(), awstest.DefaultManagementAccountID)); err != nil {
		t.Fatal(err)
	}
	readmePolicies()
	if p := ipamorg.RequiredPolicies(func(o *ipamorg.PolicyOptions) {
		o.Monitoring = true
		o.AccessRole = "audit/IpamReader"
	}); !strings.Contains(p.Management, "role/audit/IpamReader") {
		t.Errorf("management policy:\n%s", p.Management)
	}
}
