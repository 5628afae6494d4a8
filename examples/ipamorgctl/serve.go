package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// serveOptions are serve's flags.
type serveOptions struct {
	addr             string
	org              string // --org FILE
	members, ous     int
	membersSet       bool // --members given: generate the organization
	featureSet       string
	suspended        []string
	invited          []string
	lag, roleLag     time.Duration
	discoveryLag     time.Duration
	ipamDelay        time.Duration
	faults           []string
	delegated        string
	withoutRoles     []string
	allowNonLoopback bool
	allowHosts       []string
	allowBrowser     bool
	logRequests      bool
	record           string // --record FILE
	enforceIAM       bool
	limits           serveLimits
}

// fault is one parsed --fault.
type fault struct {
	op string
	f  awstest.Fault
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:4566] [--org FILE | --members N [--ous N]] [--lag D] [--discovery-lag D] [--fault OP=CODE[:COUNT]]...",
		Short: "Serve the emulated AWS organization on loopback for any AWS client",
		Long: `serve runs the emulator of package awstest (Organizations, EC2, STS and IAM,
over their real wire protocols, and the control plane under /_awstest/) on a
loopback address until SIGINT or SIGTERM, then exits 0.

The first line of stdout is "endpoint: http://HOST:PORT"; the lines after it
name the management and member accounts and show how to reach them. The
emulator does not check signatures: a 12-digit access key id is the account
to act as, with any secret:

  AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
    ipamorgctl --endpoint-url http://127.0.0.1:4566 status

The organization is the default one (management 111111111111, members
222222222222 and 333333333333), or --members N generated ones (spread over
--ous N organizational units), or the scenario file of --org FILE (the
format: docs/emulator.md#scenario-files; a sample:
examples/emulator/organization.json). --suspended, --invited,
--feature-set and --delegated change whichever it is.

--addr 127.0.0.1:0 picks a free port. Addresses other than loopback are
refused unless --allow-non-loopback: the emulator has no authentication.
For the same reason it refuses what no AWS SDK or CLI sends and a web page
can (docs/emulator.md#refused): a Host other than the address served or
localhost with its port (--allow-host NAME adds one, e.g. a Docker service
name), requests from web browsers (--allow-browser-origin lets them in),
AWS requests other than POST or with credentials in the query string, and
control-plane POSTs and DELETEs whose Content-Type is not application/json.

--fault OP=CODE[:COUNT] answers the next COUNT requests (all of them without
COUNT) for operation OP ("*" for every operation) with the error CODE, e.g.
--fault EnableIpamOrganizationAdminAccount=ThrottlingException:2 or
--fault GetIpamDiscoveredAccounts=awstest:Throttle:1 (a symbolic code, each
service's own throttling error). --fault also takes the control plane's JSON
form, for latency, drops and probabilities:
--fault '{"operation":"CreateIpam","latency":"2s","count":1}'.`,
		Example: `  ipamorgctl serve                                   # management 111111111111, members 222222222222 and 333333333333
  ipamorgctl serve --addr 127.0.0.1:0 -o json | head -n 1   # a free port, announced as JSON
  ipamorgctl serve --org examples/emulator/organization.json --discovery-lag 30s
  ipamorgctl serve --members 1000 --ous 20 --fault GetRole=awstest:Throttle:3`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.emulated || a.endpointURL != "" || a.profile != "" || a.region != "" {
				return usageError("serve takes none of --emulated, --endpoint-url, --profile and --region")
			}
			o.membersSet = cmd.Flags().Changed("members")
			return a.serve(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:4566", "listen on `HOST:PORT` (port 0 picks a free one)")
	f.StringVar(&o.org, "org", "", "start from the scenario `FILE` (JSON; see docs/emulator.md#scenario-files)")
	f.IntVar(&o.members, "members", 0, "generate `N` member accounts 200000000001, 200000000002, ... "+countRange(1, maxMembers)+" (default: members 222222222222 and 333333333333)")
	f.IntVar(&o.ous, "ous", 0, "spread the generated members over `N` organizational units "+countRange(0, maxOUs)+" (with --members)")
	f.StringVar(&o.featureSet, "feature-set", "", "the organization's feature set, ALL or CONSOLIDATED_BILLING (default: the organization's)")
	f.StringArrayVar(&o.suspended, "suspended", nil, "make member `ACCOUNT` SUSPENDED (repeatable)")
	f.StringArrayVar(&o.invited, "invited", nil, "make member `ACCOUNT` invited: no OrganizationAccountAccessRole (repeatable)")
	f.DurationVar(&o.lag, "lag", 0, "delay before a write shows in reads (eventual consistency) "+durationRange())
	f.DurationVar(&o.roleLag, "role-lag", 0, "the same for roles in member accounts "+durationRange())
	f.DurationVar(&o.discoveryLag, "discovery-lag", 0, "delay before IPAM discovers an account (GetIpamDiscoveredAccounts) "+durationRange())
	f.DurationVar(&o.ipamDelay, "ipam-delay", 0, "how long an IPAM, a resource discovery or an association stays in progress after a write (create, modify, delete, associate, disassociate) "+durationRange())
	f.StringArrayVar(&o.faults, "fault", nil, "inject `OP=CODE[:COUNT]` or a JSON fault (repeatable)")
	f.StringVar(&o.delegated, "delegated", "", "start integrated with IPAM, with member `ACCOUNT` as delegated administrator")
	f.StringArrayVar(&o.withoutRoles, "without-role", nil, "remove role `ACCOUNT:ROLE` at start, e.g. 200000000007:AWSServiceRoleForIPAM (repeatable)")
	f.BoolVar(&o.allowNonLoopback, "allow-non-loopback", false, "allow listening on an address other than loopback")
	f.StringArrayVar(&o.allowHosts, "allow-host", nil, "accept requests whose Host is `NAME` (any port) or NAME:PORT, besides the address served and localhost (repeatable)")
	f.BoolVar(&o.allowBrowser, "allow-browser-origin", false, "accept requests from web browsers (Origin or Sec-Fetch-Site); any web page could then drive the emulator")
	f.BoolVar(&o.logRequests, "log-requests", false, "log every request to stderr (no credentials)")
	f.StringVar(&o.record, "record", "", "append every signed AWS request and its answer to `FILE` as JSON lines, to replay in tests (no credentials; docs/emulator.md#recording)")
	f.BoolVar(&o.enforceIAM, "enforce-iam", false, "evaluate IAM identity policies: roles act only as their policies allow (docs/emulator.md#iam-enforcement)")
	o.limits.flags(f)
	return cmd
}

// serve runs the emulator until ctx ends.
func (a *app) serve(ctx context.Context, o serveOptions) error {
	if err := o.checkBounds(); err != nil {
		return err
	}
	scenario, err := o.scenario()
	if err != nil {
		return err
	}
	faults, err := parseFaults(o.faults)
	if err != nil {
		return err
	}
	optFns := []func(*awstest.ServerOptions){
		awstest.WithScenario(*scenario),
		awstest.WithLag(o.lag, o.roleLag),
		awstest.WithDiscoveryLag(o.discoveryLag),
		awstest.WithIPAMDelay(o.ipamDelay),
	}
	for _, s := range o.withoutRoles {
		account, role, ok := strings.Cut(s, ":")
		if !ok || account == "" || role == "" {
			return usageError("--without-role %q: want ACCOUNT:ROLE", s)
		}
		optFns = append(optFns, awstest.WithoutRole(account, role))
	}
	if o.enforceIAM {
		optFns = append(optFns, awstest.WithIAMEnforcement())
	}
	optFns = append(optFns, awstest.WithAllowedHosts(o.allowHosts...))
	if o.allowBrowser {
		optFns = append(optFns, awstest.WithBrowserOrigin())
	}
	if o.logRequests {
		logger := log.New(a.stderr, "", log.LstdFlags)
		optFns = append(optFns, func(so *awstest.ServerOptions) { so.Logf = logger.Printf })
	}
	if err := checkLoopback(o.addr, o.allowNonLoopback); err != nil {
		return err
	}

	emu, err := newEmulator(optFns)
	if err != nil {
		return usageError("%v", err)
	}
	for _, f := range faults {
		emu.InjectFault(f.op, f.f)
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	var handler http.Handler = emu
	var recording *os.File
	if o.record != "" {
		recording, err = os.OpenFile(o.record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			l.Close()
			return fmt.Errorf("record: %w", err)
		}
		defer func() {
			if recording != nil {
				recording.Close()
			}
		}()
		handler = awstest.Record(emu, recording, func(err error) {
			fmt.Fprintf(a.stderr, "ipamorgctl: recording stopped, later requests are not in %s: %v\n", o.record, err)
		})
	}
	srv := o.limits.server(handler)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(o.limits.listener(l)) }()

	endpoint := "http://" + l.Addr().String()
	if err := a.announce(endpoint, scenario, o, faults); err != nil {
		srv.Close()
		return err
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests held by injected latency: drop them.
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(a.stderr, "ipamorgctl: stopped serving %s\n", endpoint)
	if recording != nil {
		err := recording.Close()
		recording = nil
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	return nil
}

// newEmulator is awstest.New, with the panic for an invalid start (a
// flag naming an account the organization does not have) as an error.
func newEmulator(optFns []func(*awstest.ServerOptions)) (emu *awstest.Emulator, err error) {
	defer func() {
		if v := recover(); v != nil {
			msg, _ := v.(string)
			if !strings.HasPrefix(msg, "awstest: ") {
				panic(v)
			}
			err = errors.New(strings.TrimPrefix(msg, "awstest: "))
		}
	}()
	return awstest.New(optFns...), nil
}

// scenario is where serve starts: --org's file, --members' generated
// organization or the default one, changed by the other flags.
func (o serveOptions) scenario() (*awstest.Scenario, error) {
	var s *awstest.Scenario
	switch {
	case o.org != "" && o.membersSet:
		return nil, usageError("--org and --members both describe the organization: give one")
	case o.org != "":
		loaded, err := awstest.LoadScenario(o.org)
		if err != nil {
			return nil, usageError("--org: %v", err)
		}
		s = loaded
	case o.membersSet:
		s = &awstest.Scenario{Organization: awstest.GenerateOrganizationTree(o.members, o.ous)}
	default:
		s = &awstest.Scenario{Organization: awstest.DefaultOrganization()}
	}
	if o.ous != 0 && !o.membersSet {
		return nil, usageError("--ous spreads generated members: it needs --members")
	}
	if s.NoOrganization && (len(o.suspended) > 0 || len(o.invited) > 0 || o.featureSet != "" || o.delegated != "") {
		return nil, usageError("the scenario has no organization for --suspended, --invited, --feature-set or --delegated")
	}
	org := &s.Organization
	member := func(flag, id string) (*awstest.Account, error) {
		for i := range org.Members {
			if org.Members[i].ID == id {
				return &org.Members[i], nil
			}
		}
		return nil, usageError("%s %s is not a member account of the emulated organization", flag, id)
	}
	for _, id := range o.suspended {
		m, err := member("--suspended", id)
		if err != nil {
			return nil, err
		}
		m.Status = awstest.StatusSuspended
	}
	for _, id := range o.invited {
		m, err := member("--invited", id)
		if err != nil {
			return nil, err
		}
		m.JoinedMethod = awstest.JoinedInvited
	}
	switch o.featureSet {
	case "":
	case awstest.FeatureSetAll, awstest.FeatureSetConsolidatedBilling:
		org.FeatureSet = o.featureSet
	default:
		return nil, usageError("--feature-set must be %s or %s, not %q", awstest.FeatureSetAll, awstest.FeatureSetConsolidatedBilling, o.featureSet)
	}
	if o.delegated != "" {
		m, err := member("--delegated", o.delegated)
		if err != nil {
			return nil, err
		}
		if m.Status == awstest.StatusSuspended {
			return nil, usageError("--delegated %s is a suspended member", o.delegated)
		}
		org.IPAMDelegatedAdmin = o.delegated
	}
	return s, nil
}

// controlPlaneEndpoints are the emulator's control-plane endpoints, as
// the announcement lists them; TestServeAnnouncesTheControlPlane keeps
// the list equal to the emulator's.
var controlPlaneEndpoints = []string{"health", "reset", "audit", "faults", "state", "lag"}

// maxListedMembers bounds the member ids the text announcement lists.
const maxListedMembers = 50

// announce prints the endpoint first, then how to use it. os.Stdout is
// not buffered, so a script reading the first line sees it at once.
func (a *app) announce(endpoint string, s *awstest.Scenario, o serveOptions, faults []fault) error {
	ids := make([]string, len(s.Members))
	for i, m := range s.Members {
		ids[i] = m.ID
	}
	mgmt := s.ManagementAccount.ID
	if a.jsonOutput() {
		b, err := json.Marshal(struct {
			Endpoint          string   `json:"endpoint"`
			ControlPlane      string   `json:"control_plane"`
			Region            string   `json:"region"`
			ManagementAccount string   `json:"management_account"`
			MemberAccounts    []string `json:"member_accounts"`
			DelegatedAdmin    string   `json:"delegated_admin"`
		}{endpoint, endpoint + "/_awstest/", awstest.Region, mgmt, ids, s.IPAMDelegatedAdmin})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	w := &strings.Builder{}
	fmt.Fprintf(w, "endpoint: %s\n", endpoint)
	fmt.Fprintf(w, "control plane: %s/_awstest/ (%s)\n", endpoint, strings.Join(controlPlaneEndpoints, ", "))
	fmt.Fprintf(w, "region: %s\n", awstest.Region)
	if s.NoOrganization {
		fmt.Fprintln(w, "organization: none")
	} else {
		fmt.Fprintf(w, "management account: %s\n", mgmt)
		listed := ids
		if len(ids) > maxListedMembers {
			listed = append(slices.Clip(ids[:maxListedMembers]), fmt.Sprintf("... (%d in all)", len(ids)))
		}
		fmt.Fprintf(w, "member accounts: %s\n", strings.Join(listed, " "))
		fmt.Fprintf(w, "delegated admin: %s\n", orNone(s.IPAMDelegatedAdmin))
	}
	if o.org != "" {
		fmt.Fprintf(w, "scenario: %s\n", o.org)
	}
	fmt.Fprintf(w, "credentials: AWS_ACCESS_KEY_ID=<account id to act as> AWS_SECRET_ACCESS_KEY=<anything>\n")
	fmt.Fprintf(w, "example: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=x AWS_REGION=%s ipamorgctl --endpoint-url %s status\n", mgmt, awstest.Region, endpoint)
	// The AWS CLI v1 reads only AWS_DEFAULT_REGION, v2 both: one line
	// that works for either.
	fmt.Fprintf(w, "example: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=%s aws --endpoint-url %s organizations describe-organization\n", mgmt, awstest.Region, endpoint)
	fmt.Fprintf(w, "example: curl -s %s/_awstest/state\n", endpoint)
	if o.lag > 0 || o.roleLag > 0 {
		fmt.Fprintf(w, "lag: %v (member roles: %v)\n", o.lag, o.roleLag)
	}
	if o.enforceIAM {
		fmt.Fprintln(w, "iam: policies enforced (12-digit keys act as root users; roles as their policies allow)")
	}
	if o.record != "" {
		fmt.Fprintf(w, "recording: every signed AWS request and its answer appended to %s\n", o.record)
	}
	if o.discoveryLag > 0 || o.ipamDelay > 0 {
		fmt.Fprintf(w, "discovery lag: %v, IPAM delay: %v\n", o.discoveryLag, o.ipamDelay)
	}
	for _, f := range faults {
		n := "every request"
		if f.f.Count > 0 {
			n = fmt.Sprintf("next %d request(s)", f.f.Count)
		}
		what := f.f.Code
		if what == "" {
			what = describeFault(f.f)
		}
		fmt.Fprintf(w, "fault: %s=%s (%s)\n", f.op, what, n)
	}
	fmt.Fprintln(w, "serving until SIGINT or SIGTERM")
	_, err := io.WriteString(a.stdout, w.String())
	return err
}

func describeFault(f awstest.Fault) string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// parseFaults parses --fault values with awstest.ParseFault: OP=CODE[:COUNT]
// or the control plane's JSON object.
func parseFaults(specs []string) ([]fault, error) {
	var out []fault
	for _, s := range specs {
		op, f, err := awstest.ParseFault(s)
		if err != nil {
			return nil, usageError("--fault %q: %v", s, err)
		}
		out = append(out, fault{op, f})
	}
	return out, nil
}

// checkLoopback refuses an address that is not loopback unless allowed:
// the emulator answers anyone, as any account.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q: %v", addr, err)
	}
	if allow || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usageError("--addr %q is not a loopback address; the emulator has no authentication (use --allow-non-loopback to insist)", addr)
}
