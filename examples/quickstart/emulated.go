package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// The emulated organization: the management account and five members.
// 222222222222 is the networking account, the usual IPAM administrator;
// 666666666666 is a sandbox, in the OU that platform teams keep out of
// IPAM (sandboxOU).
var emulatedOrg = awstest.Organization{
	ManagementAccount: awstest.Account{ID: "111111111111", Name: "management"},
	Members: []awstest.Account{
		{ID: "222222222222", Name: "network"},
		{ID: "333333333333", Name: "security"},
		{ID: "444444444444", Name: "workloads-prod"},
		{ID: "555555555555", Name: "workloads-dev"},
		{ID: "666666666666", Name: "sandbox", OU: sandboxOU},
	},
}

// sandboxOU is the OU the administrator excludes from IPAM.
const sandboxOU = "Sandbox"

// ipamRegions are the Regions the quickstart's IPAM operates in.
var ipamRegions = []string{"us-east-1", "eu-west-1"}

// runEmulated walks, on an emulated organization served on loopback, what
// a platform team does: delegate, create the IPAM, see every account
// monitored, repair one that is not, tear down in AWS's order and purge
// what the teardown leaves.
func runEmulated(ctx context.Context, w io.Writer, admin string, lag time.Duration) error {
	start := time.Now()
	// Reads lag writes, IPAM discovers accounts, and creates and deletes
	// an IPAM, each after lag.
	srv := awstest.NewServer(awstest.WithOrganization(emulatedOrg), awstest.WithLag(lag, lag),
		awstest.WithDiscoveryLag(lag), awstest.WithIPAMDelay(lag))
	defer srv.Close()
	names := accountNames(emulatedOrg)
	mgmt := emulatedOrg.ManagementAccount.ID

	fmt.Fprintln(w, "Amazon VPC IP Address Manager (IPAM) plans and tracks IP addresses. Integrated with AWS")
	fmt.Fprintln(w, "Organizations, one member account, the delegated administrator, monitors the IP addresses")
	fmt.Fprintln(w, "of every account. This walks that integration from nothing and back, on an emulated organization.")
	fmt.Fprintf(w, "\nEmulated AWS organization at %s (reads, discovery and IPAM changes lag by %v)\n", srv.URL, lag)
	for _, a := range append([]awstest.Account{emulatedOrg.ManagementAccount}, emulatedOrg.Members...) {
		role := "member"
		switch {
		case a.ID == mgmt:
			role = "management account: the only one that may change the integration"
		case a.OU != "":
			role = "member, in the OU " + a.OU
		}
		fmt.Fprintf(w, "  %s  %-15s %s\n", a.ID, a.Name, role)
	}

	cfg := srv.Config(ctx, mgmt)
	c, err := ipamorg.NewFromConfig(cfg, func(o *ipamorg.Options) {
		o.OnTransition = transitionPrinter(w)
		// Poll often enough to see the lag, and always outlast it.
		o.Wait = ipamorg.WaitOptions{Interval: 100 * time.Millisecond, MaxDelay: time.Second, MaxWait: lag + 30*time.Second}
	})
	if err != nil {
		return err
	}

	heading(w, "Observe")
	st, err := c.Observe(ctx)
	if err != nil {
		return err
	}
	printStatus(w, st, names, true)

	heading(w, "Plan: delegate IPAM to %s", describe(admin, names))
	if err := planAndApply(ctx, w, c, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: admin}); err != nil {
		return err
	}
	note(w, "the one EC2 call enabled trusted access, registered the delegated administrator and created AWSServiceRoleForIPAM in %d of %d accounts",
		len(srv.Snapshot().IPAMRoleAccounts()), len(emulatedOrg.Members)+1)
	note(w, "delegated is only Organizations' bookkeeping: IPAM monitors nothing until the administrator creates an IPAM")

	heading(w, "Create an IPAM as the delegated administrator %s", describe(admin, names))
	ec2c, err := adminEC2(ctx, cfg, admin)
	if err != nil {
		return err
	}
	ipam, err := createIPAM(ctx, ec2c, ipamRegions...)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  ec2:CreateIpam as %s: %s in %s, operating in %v (%s)\n", admin, *ipam.IpamId, *ipam.IpamRegion, ipamRegions, ipam.State)
	note(w, "an IPAM of the delegated administrator discovers every account of the organization, in each operating Region")

	heading(w, "Exclude the %s OU from IPAM, as the delegated administrator %s", sandboxOU, describe(admin, names))
	path, err := ouEntityPath(ctx, cfg, sandboxOU)
	if err != nil {
		return err
	}
	if err := excludeOU(ctx, ec2c, *ipam.DefaultResourceDiscoveryId, path); err != nil {
		return err
	}
	fmt.Fprintf(w, "  ec2:ModifyIpamResourceDiscovery as %s: %s excludes %s\n", admin, *ipam.DefaultResourceDiscoveryId, path)
	note(w, "an OU exclusion keeps an OU's accounts out of IPAM, such as sandboxes: an Organizations entity path, the "+
		"organization's, the root's and OU ids, each followed by \"/\", for the OU's own accounts; ending \"/*\" instead, with every "+
		"OU below it. The delegated administrator is never excluded. Monitoring leaves the excluded accounts out: they "+
		"are neither monitored nor waited for")

	heading(w, "Wait until IPAM monitors every account")
	m, err := waitMonitored(ctx, w, c)
	if err != nil {
		return err
	}
	printMonitoring(w, m, names)

	broken := "555555555555" // workloads-dev: one IPAM monitors, unlike the sandbox
	heading(w, "An account IPAM cannot monitor")
	srv.DeleteIPAMRole(broken)
	fmt.Fprintf(w, "  someone deletes AWSServiceRoleForIPAM in %s, as an over-eager cleanup might\n", describe(broken, names))
	if m, err = waitFailing(ctx, c, broken); err != nil {
		return err
	}
	printMonitoring(w, m, names)

	heading(w, "Repair: create the missing role (ipamorgctl verify --repair)")
	r, err := c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Repair = true })
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  checked %d accounts; created AWSServiceRoleForIPAM in %v\n", len(r.Accounts), r.Repaired())
	if m, err = waitMonitored(ctx, w, c); err != nil {
		return err
	}
	printMonitoring(w, m, names)

	heading(w, "Plan: tear down to none, while the IPAM exists")
	note(w, "a teardown has three steps, each undoing one part of the integration in AWS's order: remove the delegated "+
		"administrator (IPAM stops managing the organization), disable trusted access (Organizations stops sharing its "+
		"accounts with IPAM), then delete AWSServiceRoleForIPAM from the management account (IAM deletes a role only once "+
		"nothing uses it). The administrator's IPAMs go before all three: the library reads them first and refuses")
	_, err = c.Plan(ctx, ipamorg.Desired{State: fsm.StateNone})
	if !errors.Is(err, ipamorg.ErrIPAMResourcesExist) {
		return fmt.Errorf("the teardown was not refused while the ipam exists: %v", err)
	}
	fmt.Fprintf(w, "  ✗ refused (ipamorg.ErrIPAMResourcesExist), nothing written:\n%s", indent(wrap(err.Error(), 96)))

	heading(w, "Delete the IPAM as the delegated administrator")
	if err := deleteIPAM(ctx, ec2c, *ipam.IpamId, 50*time.Millisecond); err != nil {
		return err
	}
	fmt.Fprintf(w, "  ec2:DeleteIpam --cascade as %s: %s is gone\n", admin, *ipam.IpamId)

	heading(w, "Plan: tear down to none")
	if err := planAndApply(ctx, w, c, ipamorg.Desired{State: fsm.StateNone}); err != nil {
		return err
	}
	note(w, "AWSServiceRoleForIPAM is still in %d member accounts: teardown deletes only the management account's", len(srv.Snapshot().IPAMRoleAccounts()))

	heading(w, "Purge the role left in the members (ipamorgctl verify --purge)")
	if r, err = c.VerifyServiceLinkedRoles(ctx, func(o *ipamorg.VerifyOptions) { o.Purge = true }); err != nil {
		return err
	}
	fmt.Fprintf(w, "  deleted AWSServiceRoleForIPAM in %v; left in %d accounts\n", r.Purged(), len(srv.Snapshot().IPAMRoleAccounts()))

	heading(w, "Final status")
	if st, err = c.Observe(ctx); err != nil {
		return err
	}
	printStatus(w, st, names, false)

	// The emulator's audit log: every write was sent once, whatever the
	// polling in between.
	writes := srv.Writes()
	heading(w, "Audit: %d AWS requests, %d writes", len(srv.Requests()), len(writes))
	for _, r := range writes {
		fmt.Fprintf(w, "  %s (as %s)\n", r.Action, r.Account)
	}
	fmt.Fprintf(w, "\nDone in %v.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// waitMonitored waits until IPAM monitors every account, saying how long
// it took.
func waitMonitored(ctx context.Context, w io.Writer, c *ipamorg.Client) (*ipamorg.Monitoring, error) {
	started := time.Now()
	m, err := c.WaitMonitored(ctx)
	if err != nil {
		return nil, err
	}
	which := "every account"
	if len(m.Excluded()) > 0 {
		which = "every account but the excluded"
	}
	fmt.Fprintf(w, "  %s monitored after %v (ipamorg.Client.WaitMonitored)\n", which, time.Since(started).Round(time.Millisecond))
	return m, nil
}

// waitFailing polls Monitoring until IPAM reports account failing
// discovery: IPAM notices a missing role at its next discovery.
func waitFailing(ctx context.Context, c *ipamorg.Client, account string) (*ipamorg.Monitoring, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		m, err := c.Monitoring(ctx)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(m.Unmonitored(), func(a ipamorg.DiscoveredAccount) bool { return a.AccountID == account }) {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("ipam did not report %s failing discovery: %w", account, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
