package awstest_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestConcurrentRequests(t *testing.T) {
	srv, _ := startServer(t, awstest.WithMembers(20))
	ctx := t.Context()
	org := awstest.GenerateOrganization(20)
	srv.InjectFault("ListAccounts", awstest.Fault{Code: awstest.CodeThrottle, Probability: 0.2})

	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			c := as(srv, t, awstest.DefaultManagementAccountID)
			target := org.Members[i%20].ID
			_, err := enableIPAM(ctx, c, target)
			switch code := apiCode(err); code {
			case "":
				wins.Add(1)
			case "IpamOrganizationDelegatedAdminLimitExceeded":
				conflicts.Add(1)
			default:
				t.Errorf("enable %s: %v", target, err)
			}
			c.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
			callerIdentity(t, c)
			getRole(ctx, as(srv, t, target), awstest.IPAMRoleName)
			srv.Snapshot()
			srv.Requests()
		})
	}
	wg.Wait()
	admins := srv.Snapshot().DelegatedAdmins[ipam]
	if len(admins) != 1 {
		t.Fatalf("admins = %v, want exactly one", admins)
	}
	// Only the requests for the winning target can succeed (the same admin
	// again succeeds); everyone else conflicts.
	if wins.Load() < 1 || wins.Load()+conflicts.Load() != 40 {
		t.Fatalf("wins=%d conflicts=%d", wins.Load(), conflicts.Load())
	}
	if n := len(srv.Requests()); n != 40*4 {
		t.Fatalf("audit has %d requests, want %d", n, 40*4)
	}
	if got := len(srv.Snapshot().IPAMRoleAccounts()); got != 21 {
		t.Fatal(fmt.Sprint("IPAM roles in ", got, " accounts, want 21"))
	}
}
