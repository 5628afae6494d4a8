package sdk_test

// The functions below hold README.md's Go snippets, line for line, so
// that they compile; the tests and examples after them run them against
// the emulator. TestREADMESnippets fails when a snippet of README.md is in
// no function of a _test.go file.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"go.uber.org/mock/gomock"

	"github.com/ipamorg/sdk/awsclient"
	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/awsclient/mocks"
	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// readmeUse is README's "Use" snippet.
func readmeUse(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx) // credentials of the management account
	if err != nil {
		return err
	}
	c, err := ipamorg.NewFromConfig(cfg)
	if err != nil {
		return err
	}

	st, err := c.Observe(ctx) // where the organization stands; no writes
	if err != nil {
		return err
	}
	fmt.Println(st.State, st.DelegatedAdmin, st.Warnings)

	desired := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"}
	plan, err := c.Plan(ctx, desired) // guards run here, before any write
	if err != nil {
		return err
	}
	fmt.Print(plan) // review it, like a Terraform plan

	res, err := c.Apply(ctx, plan)
	if errors.Is(err, ipamorg.ErrStalePlan) {
		return fmt.Errorf("the organization changed since the plan; plan again: %w", err)
	}
	if err != nil {
		return err // an *ipamorg.Error: the step that failed, Done and NotDone
	}
	for _, t := range res.Transitions {
		fmt.Println("done:", t.Event, t.Account)
	}
	return nil
}

// TestREADMEUse runs the "Use" snippet with the default configuration
// pointed at the emulator, as a reader's environment would be.
func TestREADMEUse(t *testing.T) {
	srv := awstest.NewServer()
	defer srv.Close()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_PROFILE": "",
		"AWS_ACCESS_KEY_ID": awstest.DefaultManagementAccountID, "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": awstest.Region, "AWS_ENDPOINT_URL": srv.URL, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	if err := readmeUse(context.Background()); err != nil {
		t.Fatal(err)
	}
	if admins := srv.Snapshot().DelegatedAdmins[awstest.IPAMServicePrincipal]; len(admins) != 1 || admins[0] != awstest.DefaultMemberAccountID1 {
		t.Errorf("admins %v", admins)
	}
}

// readmeFSM is README's package fsm snippet.
func readmeFSM(ctx context.Context) error {
	events, err := fsm.Path(fsm.StateDelegated, fsm.StateNone)
	if err != nil {
		return err
	}
	fmt.Println(events) // [remove-delegate disable-trusted-access delete-service-linked-role]

	m := fsm.New[any](fsm.StateNone, nil) // nil: no callback on transitions
	// No admin to remove in none: ErrInvalidTransition, and the state stays.
	err = m.Fire(ctx, fsm.EventRemoveDelegate, nil)
	fmt.Println(errors.Is(err, fsm.ErrInvalidTransition), m.Current()) // true none
	return nil
}

func Example_readmeFSM() {
	if err := readmeFSM(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// [remove-delegate disable-trusted-access delete-service-linked-role]
	// true none
}

// readmeErrors is README's "Errors" snippet.
func readmeErrors(ctx context.Context, c *ipamorg.Client, desired ipamorg.Desired) error {
	_, err := c.Reconcile(ctx, desired)
	var (
		denied *orgtypes.AccessDeniedException
		e      *ipamorg.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ipamorg.ErrDelegatedAdminConflict):
		// Another account is the admin, and nothing was written: replacing it
		// interrupts IPAM for the whole organization, so only AllowReplace does.
		return fmt.Errorf("not replacing the delegated admin: %w", err)
	case errors.Is(err, ipamorg.ErrAccessDenied) && errors.As(err, &denied):
		return fmt.Errorf("grant ipamorg.RequiredPermissions(): %s: %w", aws.ToString(denied.Message), err)
	case errors.As(err, &e) && !ipamorg.IsTerminal(err):
		// Throttled, timed out or unconfirmed: observe again and retry later.
		log.Printf("%s at %q: done %v, unconfirmed %v, not done %v", e.Op, e.Event, e.Done, e.Unconfirmed, e.NotDone)
	}
	return err
}

func TestREADMEErrors(t *testing.T) {
	ctx := context.Background()
	org := awstest.DefaultOrganization()
	org.IPAMDelegatedAdmin = awstest.DefaultMemberAccountID1
	emu := awstest.New(awstest.WithOrganization(org))
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	other := ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: awstest.DefaultMemberAccountID2}

	err = readmeErrors(ctx, c, other)
	if !errors.Is(err, ipamorg.ErrDelegatedAdminConflict) || !strings.HasPrefix(err.Error(), "not replacing the delegated admin: ") {
		t.Errorf("conflict: %v", err)
	}
	emu.InjectFault("DescribeOrganization", awstest.Fault{Code: "AccessDeniedException", Message: "no organizations:DescribeOrganization", Count: 1})
	err = readmeErrors(ctx, c, other)
	if !errors.Is(err, ipamorg.ErrAccessDenied) || !strings.HasPrefix(err.Error(), "grant ipamorg.RequiredPermissions(): no organizations:DescribeOrganization: ") {
		t.Errorf("denied: %v", err)
	}
	if err := readmeErrors(ctx, c, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: awstest.DefaultMemberAccountID1}); err != nil {
		t.Errorf("no change: %v", err)
	}
	if w := emu.Writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// readmePermissions is README's "Permissions" snippet.
func readmePermissions(ctx context.Context, c *ipamorg.Client, plan *ipamorg.Plan) error {
	report, err := c.CheckPermissions(ctx, plan) // EC2 dry runs only: nothing changes
	if err != nil {
		return err
	}
	for _, check := range report.Denied() {
		fmt.Println("would be denied:", check.Event, check.Action, check.Message)
	}
	for _, check := range report.Checks {
		fmt.Println(check.Event, check.Result, "also needs", check.Unverified)
	}
	return nil
}

func TestREADMEPermissions(t *testing.T) {
	ctx := context.Background()
	emu := awstest.New()
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.Plan(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: awstest.DefaultMemberAccountID1})
	if err != nil {
		t.Fatal(err)
	}
	if err := readmePermissions(ctx, c, plan); err != nil {
		t.Fatal(err)
	}
	if w := emu.Writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// readmeWarnings is README's warnings snippet.
func readmeWarnings(st *ipamorg.Status) {
	for _, w := range st.Warnings {
		if w.Code == ipamorg.WarnWrongEnablePath {
			log.Print(w.Message) // delegate through IPAM to fix it
		}
	}
}

// TestREADMEWarnings: trusted access granted through Organizations (no
// AWSServiceRoleForIPAM) is the warning the snippet looks for.
func TestREADMEWarnings(t *testing.T) {
	ctx := context.Background()
	emu := awstest.New()
	emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
	c, err := ipamorg.NewFromConfig(emu.Config(ctx, awstest.DefaultManagementAccountID))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	readmeWarnings(st)
	if len(st.Warnings) != 1 || st.Warnings[0].Code != ipamorg.WarnWrongEnablePath {
		t.Errorf("warnings %v, want one %s", st.Warnings, ipamorg.WarnWrongEnablePath)
	}
}

// TestREADMEMocks is README's awsclient/mocks snippet.
func TestREADMEMocks(t *testing.T) {
	ctx := context.Background()
	ctrl := gomock.NewController(t)
	orgs, ec2api := mocks.NewMockOrganizationsAPI(ctrl), mocks.NewMockEC2API(ctrl) // no EC2 call expected: a write fails the test
	stsapi, iamapi := mocks.NewMockSTSAPI(ctrl), mocks.NewMockIAMAPI(ctrl)
	notInUse := &orgtypes.AWSOrganizationsNotInUseException{Message: aws.String("not in an organization")}
	stsapi.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).
		Return(&sts.GetCallerIdentityOutput{Account: aws.String("111111111111")}, nil).AnyTimes()
	orgs.EXPECT().DescribeOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, notInUse).AnyTimes()
	orgs.EXPECT().ListAWSServiceAccessForOrganization(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, notInUse).AnyTimes()
	orgs.EXPECT().ListDelegatedAdministrators(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, notInUse).AnyTimes()
	orgs.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, notInUse).AnyTimes() // the delegation's guard, read alongside
	iamapi.EXPECT().GetRole(gomock.Any(), gomock.Any(), gomock.Any()).
		Return(nil, &iamtypes.NoSuchEntityException{Message: aws.String("no such role")}).AnyTimes()

	c, err := ipamorg.New(awsclient.Clients{Organizations: orgs, EC2: ec2api, STS: stsapi, IAM: iamapi})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Reconcile(ctx, ipamorg.Desired{State: fsm.StateDelegated, DelegatedAdmin: "222222222222"})
	if !errors.Is(err, ipamorg.ErrOrganizationNotFound) {
		t.Fatalf("got %v, want ErrOrganizationNotFound", err)
	}
}

// TestREADMEEmulator is README's awsclient/awstest snippet.
func TestREADMEEmulator(t *testing.T) {
	ctx := context.Background()
	srv := awstest.NewServer(awstest.WithLag(200*time.Millisecond, 0))
	defer srv.Close()
	c, err := ipamorg.NewFromConfig(srv.Config(ctx, "111111111111")) // the management account
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Delegate(ctx, "111111111111")
	if !errors.Is(err, ipamorg.ErrManagementAccountAsDelegate) {
		t.Fatalf("got %v, want ErrManagementAccountAsDelegate", err)
	}
	if w := srv.Writes(); len(w) != 0 { // the audit log
		t.Fatalf("writes: %v", w)
	}
}
