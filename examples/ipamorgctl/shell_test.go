package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	env := baseEnv(t)
	r := runCtl(t, env, "--version")
	wantCode(t, r, exitOK)
	line := strings.TrimSuffix(r.stdout, "\n")
	if !strings.HasPrefix(line, "ipamorgctl ") || !strings.HasSuffix(line, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH) || strings.Contains(line, "\n") {
		t.Errorf("--version: %q", r.stdout)
	}
	r2 := runCtl(t, env, "version")
	wantCode(t, r2, exitOK)
	if r2.stdout != r.stdout {
		t.Errorf("version %q and --version %q differ", r2.stdout, r.stdout)
	}
	r = runCtl(t, env, "version", "-o", "json")
	wantCode(t, r, exitOK)
	var v buildVersion
	decode(t, r, &v)
	// A test binary is built from this module's source: "(devel)".
	if v.Version != "(devel)" || v.GoVersion != runtime.Version() || v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("version JSON %+v", v)
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for shell, marker := range map[string]string{
		"bash":       "__start_ipamorgctl",
		"zsh":        "#compdef ipamorgctl",
		"fish":       "complete -c ipamorgctl",
		"powershell": "Register-ArgumentCompleter",
	} {
		r := runCtl(t, baseEnv(t), "completion", shell)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, marker) {
			t.Errorf("completion %s lacks %q", shell, marker)
		}
	}
	wantCode(t, runCtl(t, baseEnv(t), "completion", "tcsh"), exitUsage)

	// The scripts complete through the binary itself.
	r := runCtl(t, baseEnv(t), "__complete", "p")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "plan") || !strings.Contains(r.stdout, "policy") {
		t.Errorf("__complete p:\n%v", r)
	}
}

// TestQuietUnlessDebug: without --debug nothing but the command's own
// output reaches the terminal; with it, the library's and the SDK's
// records do, and credentials never.
func TestQuietUnlessDebug(t *testing.T) {
	t.Parallel()
	// Temporary credentials of the management account, as a role in it
	// gives them: a secret key and a session token that must never be
	// printed.
	org := awstest.DefaultOrganization()
	org.ManagementAccount.Roles = []string{"Operator"}
	srv := startServer(t, awstest.WithOrganization(org))
	out, err := sts.NewFromConfig(srv.Config(t.Context(), mgmt)).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/Operator"), RoleSessionName: aws.String("debug-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	key, secret, token := aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)
	// A throttled read makes the SDK retry: something for it to log.
	srv.InjectFault("DescribeOrganization", awstest.Fault{Code: "ThrottlingException", Count: 1})
	env := append(baseEnv(t), "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN="+token, "AWS_REGION=us-east-1")

	r := runCtl(t, env, "--endpoint-url", srv.URL, "plan", "--delegate", member1)
	wantCode(t, r, exitOK)
	if r.stderr != "" {
		t.Errorf("stderr without --debug: %q", r.stderr)
	}

	srv.InjectFault("DescribeOrganization", awstest.Fault{Code: "ThrottlingException", Count: 1})
	r = runCtl(t, env, "--endpoint-url", srv.URL, "--debug", "plan", "--delegate", member1)
	wantCode(t, r, exitOK)
	for _, want := range []string{"level=DEBUG", "aws-sdk: ", "retrying"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--debug stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	checkNoSecrets(t, r.stdout+r.stderr, secret, token)

	// With JSON output the records are JSON lines.
	r = runCtl(t, env, "--endpoint-url", srv.URL, "--debug", "-o", "json", "status")
	wantCode(t, r, exitOK)
	n := 0
	for _, rec := range jsonLines(t, r.stderr) {
		if _, ok := rec["level"]; ok {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no JSON log record on stderr:\n%s", r.stderr)
	}
	checkNoSecrets(t, r.stdout+r.stderr, secret, token)
}

func checkNoSecrets(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, "Signature=", "Authorization") {
		if strings.Contains(out, s) {
			t.Errorf("output contains %q:\n%s", s, out)
		}
	}
}

func TestCheckPermissionsDenied(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	// What EC2 answers a principal without ec2:EnableIpamOrganizationAdminAccount.
	srv.InjectFault("EnableIpamOrganizationAdminAccount", awstest.Fault{Code: "UnauthorizedOperation", Status: 403, Message: "You are not authorized to perform this operation."})
	r := ctl(t, srv, "plan", "--delegate", member1, "--check-permissions", "--detailed-exitcode")
	wantCode(t, r, exitError) // an error outranks the changes
	if !strings.Contains(r.stdout, "✗ 2. delegate               ec2:EnableIpamOrganizationAdminAccount  denied (UnauthorizedOperation: You are not authorized to perform this operation.)") ||
		!strings.Contains(r.stderr, "1 step(s) of the plan would be denied: delegate (ec2:EnableIpamOrganizationAdminAccount)") {
		t.Errorf("denied:\n%v", r)
	}

	r = ctl(t, srv, "plan", "--delegate", member1, "--check-permissions", "-o", "json")
	wantCode(t, r, exitError)
	f := decodePlan(t, r.stdout)
	if f.Permissions == nil || len(f.Permissions.Denied()) != 1 {
		t.Errorf("permissions %+v", f.Permissions)
	}
	if e := lastJSONError(t, r); e.Kind != "error" || !strings.Contains(e.Message, "would be denied") {
		t.Errorf("error %+v", e)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}
