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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// serveOptions are serve's flags.
type serveOptions struct {
	addr             string
	members          int
	membersSet       bool // --members given: generate the organization
	lag, roleLag     time.Duration
	faults           []string
	delegated        string
	withoutRoles     []string
	allowNonLoopback bool
	logRequests      bool
}

// fault is one parsed --fault.
type fault struct {
	op string
	f  awstest.Fault
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:4566] [--members N] [--lag D] [--role-lag D] [--fault OP=CODE[:COUNT]]...",
		Short: "Serve the emulated AWS organization on loopback for any AWS client",
		Long: `serve runs the emulator of package awstest (Organizations, EC2, STS and IAM,
over their real wire protocols) on a loopback address until SIGINT or
SIGTERM, then exits 0.

The first line of stdout is "endpoint: http://HOST:PORT"; the lines after it
name the management and member accounts. The emulator does not check
signatures: the access key id is the account to act as, with any secret:

  AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
    ipamorgctl --endpoint-url http://127.0.0.1:4566 status

--addr 127.0.0.1:0 picks a free port. Addresses other than loopback are
refused unless --allow-non-loopback: the emulator has no authentication.
--fault OP=CODE[:COUNT] answers the next COUNT requests (all of them without
COUNT) for operation OP ("*" for every operation) with the error CODE, e.g.
--fault EnableIpamOrganizationAdminAccount=ThrottlingException:2.`,
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
	f.IntVar(&o.members, "members", 0, "generate `N` member accounts 200000000001, 200000000002, ... (default: members 222222222222 and 333333333333)")
	f.DurationVar(&o.lag, "lag", 0, "delay before a write shows in reads (eventual consistency)")
	f.DurationVar(&o.roleLag, "role-lag", 0, "the same for roles in member accounts")
	f.StringArrayVar(&o.faults, "fault", nil, "inject `OP=CODE[:COUNT]` (repeatable)")
	f.StringVar(&o.delegated, "delegated", "", "start integrated with IPAM, with member `ACCOUNT` as delegated administrator")
	f.StringArrayVar(&o.withoutRoles, "without-role", nil, "remove role `ACCOUNT:ROLE` at start, e.g. 200000000007:AWSServiceRoleForIPAM (repeatable)")
	f.BoolVar(&o.allowNonLoopback, "allow-non-loopback", false, "allow listening on an address other than loopback")
	f.BoolVar(&o.logRequests, "log-requests", false, "log every request to stderr (no credentials)")
	return cmd
}

// serve runs the emulator until ctx ends.
func (a *app) serve(ctx context.Context, o serveOptions) error {
	org := awstest.DefaultOrganization()
	if o.membersSet {
		if o.members < 0 {
			return usageError("--members must not be negative")
		}
		org = awstest.GenerateOrganization(o.members)
	}
	if o.delegated != "" {
		if !isActiveMember(org, o.delegated) {
			return usageError("--delegated %s is not a member account of the emulated organization", o.delegated)
		}
		org.IPAMDelegatedAdmin = o.delegated
	}
	if o.lag < 0 || o.roleLag < 0 {
		return usageError("--lag and --role-lag must not be negative")
	}
	faults, err := parseFaults(o.faults)
	if err != nil {
		return err
	}
	optFns := []func(*awstest.ServerOptions){awstest.WithOrganization(org), awstest.WithLag(o.lag, o.roleLag)}
	for _, s := range o.withoutRoles {
		account, role, ok := strings.Cut(s, ":")
		if !ok || account == "" || role == "" {
			return usageError("--without-role %q: want ACCOUNT:ROLE", s)
		}
		optFns = append(optFns, awstest.WithoutRole(account, role))
	}
	if o.logRequests {
		logger := log.New(a.stderr, "", log.LstdFlags)
		optFns = append(optFns, func(so *awstest.ServerOptions) { so.Logf = logger.Printf })
	}
	if err := checkLoopback(o.addr, o.allowNonLoopback); err != nil {
		return err
	}

	emu := awstest.New(optFns...)
	for _, f := range faults {
		emu.InjectFault(f.op, f.f)
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	srv := &http.Server{
		Handler:           emu,
		ReadHeaderTimeout: 30 * time.Second,
		// Dropped-connection faults would fill stderr otherwise.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	endpoint := "http://" + l.Addr().String()
	if err := a.announce(endpoint, org, o, faults); err != nil {
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
	return nil
}

// announce prints the endpoint first, then how to use it. os.Stdout is
// not buffered, so a script reading the first line sees it at once.
func (a *app) announce(endpoint string, org awstest.Organization, o serveOptions, faults []fault) error {
	ids := make([]string, len(org.Members))
	for i, m := range org.Members {
		ids[i] = m.ID
	}
	mgmt := org.ManagementAccount.ID
	if a.jsonOutput() {
		b, err := json.Marshal(struct {
			Endpoint          string   `json:"endpoint"`
			Region            string   `json:"region"`
			ManagementAccount string   `json:"management_account"`
			MemberAccounts    []string `json:"member_accounts"`
			DelegatedAdmin    string   `json:"delegated_admin"`
		}{endpoint, awstest.Region, mgmt, ids, o.delegated})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	w := &strings.Builder{}
	fmt.Fprintf(w, "endpoint: %s\n", endpoint)
	fmt.Fprintf(w, "region: %s\n", awstest.Region)
	fmt.Fprintf(w, "management account: %s\n", mgmt)
	fmt.Fprintf(w, "member accounts: %s\n", strings.Join(ids, " "))
	fmt.Fprintf(w, "delegated admin: %s\n", orNone(o.delegated))
	fmt.Fprintf(w, "credentials: AWS_ACCESS_KEY_ID=<account id to act as> AWS_SECRET_ACCESS_KEY=<anything>\n")
	fmt.Fprintf(w, "example: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=x AWS_REGION=%s ipamorgctl --endpoint-url %s status\n", mgmt, awstest.Region, endpoint)
	fmt.Fprintf(w, "example: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=x AWS_REGION=%s aws --endpoint-url %s organizations describe-organization\n", mgmt, awstest.Region, endpoint)
	if o.lag > 0 || o.roleLag > 0 {
		fmt.Fprintf(w, "lag: %v (member roles: %v)\n", o.lag, o.roleLag)
	}
	for _, f := range faults {
		n := "every request"
		if f.f.Count > 0 {
			n = fmt.Sprintf("next %d request(s)", f.f.Count)
		}
		fmt.Fprintf(w, "fault: %s=%s (%s)\n", f.op, f.f.Code, n)
	}
	fmt.Fprintln(w, "serving until SIGINT or SIGTERM")
	_, err := io.WriteString(a.stdout, w.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func isActiveMember(org awstest.Organization, id string) bool {
	for _, m := range org.Members {
		if m.ID == id {
			return m.Status == "" || m.Status == awstest.StatusActive
		}
	}
	return false
}

// parseFaults parses --fault OP=CODE[:COUNT] values.
func parseFaults(specs []string) ([]fault, error) {
	known := []string{"*"}
	for _, ops := range awstest.Operations() {
		known = append(known, ops...)
	}
	var out []fault
	for _, s := range specs {
		op, rest, ok := strings.Cut(s, "=")
		code, count, hasCount := strings.Cut(rest, ":")
		if !ok || op == "" || code == "" {
			return nil, usageError("--fault %q: want OP=CODE[:COUNT]", s)
		}
		if !slices.Contains(known, op) {
			slices.Sort(known)
			return nil, usageError("--fault %q: unknown operation %q; known: %s", s, op, strings.Join(known, ", "))
		}
		f := fault{op: op, f: awstest.Fault{Code: code}}
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 1 {
				return nil, usageError("--fault %q: COUNT must be a positive integer", s)
			}
			f.f.Count = n
		}
		out = append(out, f)
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
