package awstest_test

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// memClients returns SDK clients that reach emu in memory as account.
func memClients(t *testing.T, emu *awstest.Emulator, account string) clients {
	return newClients(noRetry(emu.Config(t.Context(), account)))
}

func TestLagInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithLag(10*time.Second, 30*time.Second))
		c := memClients(t, emu, mgmt)
		m := memClients(t, emu, member1)
		ctx := t.Context()

		must[any](t)(enableIPAM(ctx, c, member1))
		// Guards see the latest state at once...
		_, err := enableIPAM(ctx, c, member2)
		wantCode(t, err, "IpamOrganizationDelegatedAdminLimitExceeded")
		if !slices.Equal(emu.Snapshot().DelegatedAdmins[ipam], []string{member1}) {
			t.Fatal("snapshot must ignore lag")
		}
		// ...reads do not.
		if got := listAdmins(t, c, ipam); len(got) != 0 {
			t.Fatalf("admins visible before the lag: %v", got)
		}
		if got := listTrusted(t, c); len(got) != 0 {
			t.Fatalf("trusted access visible before the lag: %v", got)
		}
		_, err = getRole(ctx, c, awstest.IPAMRoleName)
		wantCode(t, err, "NoSuchEntity")

		time.Sleep(10 * time.Second)
		if got := listAdmins(t, c, ipam); !slices.Equal(got, []string{member1}) {
			t.Fatalf("admins after the lag: %v", got)
		}
		if got := listTrusted(t, c); !slices.Equal(got, []string{ipam}) {
			t.Fatalf("trusted after the lag: %v", got)
		}
		must[*iam.GetRoleOutput](t)(getRole(ctx, c, awstest.IPAMRoleName))
		// Member accounts' roles have their own, longer lag.
		_, err = getRole(ctx, m, awstest.IPAMRoleName)
		wantCode(t, err, "NoSuchEntity")
		time.Sleep(20 * time.Second)
		must[*iam.GetRoleOutput](t)(getRole(ctx, m, awstest.IPAMRoleName))

		// Deletion tasks stay IN_PROGRESS for the lag.
		must[any](t)(disableIPAM(ctx, c, member1))
		must[any](t)(c.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)}))
		del := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}))
		status := func() iamtypes.DeletionTaskStatusType {
			return must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(ctx,
				&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})).Status
		}
		if s := status(); s != iamtypes.DeletionTaskStatusTypeInProgress {
			t.Fatalf("status = %s, want IN_PROGRESS", s)
		}
		must[*iam.GetRoleOutput](t)(getRole(ctx, c, awstest.IPAMRoleName)) // still visible
		time.Sleep(10 * time.Second)
		if s := status(); s != iamtypes.DeletionTaskStatusTypeSucceeded {
			t.Fatalf("status = %s, want SUCCEEDED", s)
		}
		_, err = getRole(ctx, c, awstest.IPAMRoleName)
		wantCode(t, err, "NoSuchEntity")

		// SetLag applies to reads made from then on.
		emu.SetLag(time.Hour)
		must[any](t)(enableIPAM(ctx, c, member2))
		if got := listAdmins(t, c, ipam); len(got) != 0 {
			t.Fatalf("admins = %v", got)
		}
		emu.SetLag(0)
		if got := listAdmins(t, c, ipam); !slices.Equal(got, []string{member2}) {
			t.Fatalf("admins after SetLag(0) = %v", got)
		}
	})
}

// fakeClock is a clock tests advance by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLagWithInjectedClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv, c := startServer(t, awstest.WithClock(clock.Now), awstest.WithLag(time.Minute, 0))
	ctx := t.Context()
	must[any](t)(c.org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(ipam)}))
	clock.Advance(59 * time.Second)
	if got := listTrusted(t, c); len(got) != 0 {
		t.Fatalf("visible after 59s: %v", got)
	}
	clock.Advance(time.Second)
	out := must[*organizations.ListAWSServiceAccessForOrganizationOutput](t)(c.org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{}))
	if len(out.EnabledServicePrincipals) != 1 || !out.EnabledServicePrincipals[0].DateEnabled.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("after 60s: %+v", out.EnabledServicePrincipals)
	}
	if r := srv.Requests(); !r[0].Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("audit time = %v", r[0].Time)
	}
}
