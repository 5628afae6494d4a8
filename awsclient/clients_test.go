package awsclient_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// serve serves e on a loopback port that counts the connections made to
// it, and returns a config for it acting as the management account, with
// the SDK's default HTTP client (nil), as config.LoadDefaultConfig leaves
// it.
func serve(t *testing.T, e *awstest.Emulator) (aws.Config, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: l}
	hs := &http.Server{Handler: e}
	go hs.Serve(cl)
	t.Cleanup(func() { hs.Close() })
	return aws.Config{
		Region:       awstest.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(awstest.DefaultManagementAccountID, "secret", ""),
		BaseEndpoint: aws.String("http://" + l.Addr().String()),
	}, &cl.n
}

// TestMemberIAMSharesConnections: the IAM clients of the member accounts
// share one pool of connections. Left to the SDK, each client built from
// a config with no HTTP client (or in a defaults mode other than legacy)
// has a transport of its own: one connection per member, each then held
// idle for 90 seconds.
func TestMemberIAMSharesConnections(t *testing.T) {
	const members = 50
	for _, mode := range []aws.DefaultsMode{aws.DefaultsModeLegacy, aws.DefaultsModeStandard} {
		for _, hc := range []struct {
			name string
			c    aws.HTTPClient
		}{{"default", nil}, {"buildable", awshttp.NewBuildableClient()}} {
			t.Run(string(mode)+"/"+hc.name, func(t *testing.T) {
				org := awstest.GenerateOrganization(members)
				org.IPAMDelegatedAdmin = org.Members[0].ID
				cfg, conns := serve(t, awstest.New(awstest.WithOrganization(org)))
				cfg.DefaultsMode, cfg.HTTPClient = mode, hc.c
				c := awsclient.NewFromConfig(cfg)
				var shared aws.HTTPClient
				for _, m := range org.Members {
					creds := credentials.NewStaticCredentialsProvider(m.ID, "secret", "")
					client := c.MemberIAM(creds)
					// The same HTTP client in every one, and not a
					// BuildableClient, which the SDK would copy.
					hc := client.(*iam.Client).Options().HTTPClient
					if _, buildable := hc.(*awshttp.BuildableClient); buildable || shared != nil && hc != shared {
						t.Fatalf("member %s: HTTP client %T %p; first member's: %v", m.ID, hc, hc, shared)
					}
					shared = hc
					if _, err := client.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}); err != nil {
						t.Fatal(err)
					}
				}
				// One connection would do, calls being one at a time; but
				// a connection goes back to the pool asynchronously after
				// its answer is read, and is not reused at all when the
				// SDK closes the answer before reading it to the end, so
				// a call may make a new one. One per member is what the
				// SDK does alone.
				if n := conns.Load(); n >= members/2 {
					t.Errorf("%d members' IAM clients made %d connections, want a few", members, n)
				}
			})
		}
	}
}

// TestIdleConnsCoverConcurrency: 16 callers at once, in rounds, reuse 16
// connections. With the SDK's default of 10 idle connections per host, 6
// would be closed after each round and made again in the next.
func TestIdleConnsCoverConcurrency(t *testing.T) {
	const callers, rounds = 16, 5
	run := func(t *testing.T, hc aws.HTTPClient) int64 {
		e := awstest.New()
		// Long enough for every caller's request to be in flight at once.
		e.InjectFault("*", awstest.Fault{Latency: 20 * time.Millisecond})
		cfg, conns := serve(t, e)
		cfg.HTTPClient = hc
		c := awsclient.NewFromConfig(cfg)
		for range rounds {
			var wg sync.WaitGroup
			for range callers {
				wg.Go(func() {
					if _, err := c.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		return conns.Load()
	}
	for _, hc := range []struct {
		name string
		c    aws.HTTPClient
	}{
		{"default", nil},
		{"buildable", awshttp.NewBuildableClient()},
		{"buildable with 10", awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 10 })},
		{"buildable with 200", awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 200 })},
	} {
		t.Run(hc.name, func(t *testing.T) {
			if n := run(t, hc.c); n > callers {
				t.Errorf("%d callers in %d rounds made %d connections, want at most %d", callers, rounds, n, callers)
			}
		})
	}
	// A client of another type is left as it is: here, one that keeps
	// 10 idle connections, which the test above does tell from 16.
	t.Run("http.Client with 10", func(t *testing.T) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 10
		if n := run(t, &http.Client{Transport: tr}); n <= callers {
			t.Errorf("%d connections: the check does not see churn", n)
		}
	})
}
