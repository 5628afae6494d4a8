package awstest_test

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

// withCreds returns clients for srv that sign with the given credentials.
func withCreds(t *testing.T, srv *awstest.Server, key, secret, token string) clients {
	cfg := noRetry(srv.Config(t.Context(), mgmt))
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token)
	return newClients(cfg)
}

func assume(t *testing.T, c clients, arn, session string) *ststypes.Credentials {
	t.Helper()
	out := must[*sts.AssumeRoleOutput](t)(c.sts.AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String(session)}))
	return out.Credentials
}

var temporaryKey = regexp.MustCompile(`^ASIA[A-Z0-9]{16,}$`)

func TestTemporaryCredentials(t *testing.T) {
	srv, c := startServer(t)
	ctx := t.Context()
	arn := roleARN(member1, awstest.OrganizationAccessRoleName)
	a, b := assume(t, c, arn, "one"), assume(t, c, arn, "two")
	for _, cr := range []*ststypes.Credentials{a, b} {
		if !temporaryKey.MatchString(aws.ToString(cr.AccessKeyId)) || aws.ToString(cr.SessionToken) == "" {
			t.Fatalf("credentials %q / %q are not STS-shaped", aws.ToString(cr.AccessKeyId), aws.ToString(cr.SessionToken))
		}
	}
	if *a.AccessKeyId == *b.AccessKeyId || *a.SessionToken == *b.SessionToken {
		t.Fatal("two AssumeRole calls returned the same credentials")
	}

	// With their token they act as the role's session in the member.
	m := withCreds(t, srv, *a.AccessKeyId, *a.SecretAccessKey, *a.SessionToken)
	id := must[*stsIdentity](t)(callerIdentity(t, m))
	if id.account != member1 || id.arn != "arn:aws:sts::"+member1+":assumed-role/OrganizationAccountAccessRole/one" ||
		!strings.HasPrefix(id.userID, "AROA") || !strings.HasSuffix(id.userID, ":one") {
		t.Fatalf("identity = %+v", id)
	}

	// Without their token, with another session's, or edited, they are
	// refused as each service refuses an invalid token.
	edited := []byte(*a.SessionToken)
	if i := strings.IndexByte(*a.SessionToken, '.'); i >= 0 {
		payload, _ := base64.RawURLEncoding.DecodeString(strings.Split((*a.SessionToken)[i+1:], ".")[0])
		forged := strings.Replace(string(payload), member1, member2, 1)
		edited = []byte((*a.SessionToken)[:i+1] + base64.RawURLEncoding.EncodeToString([]byte(forged)) + (*a.SessionToken)[strings.LastIndexByte(*a.SessionToken, '.'):])
	}
	for name, cl := range map[string]clients{
		"no token":          withCreds(t, srv, *a.AccessKeyId, *a.SecretAccessKey, ""),
		"another's token":   withCreds(t, srv, *a.AccessKeyId, *a.SecretAccessKey, *b.SessionToken),
		"edited token":      withCreds(t, srv, *a.AccessKeyId, *a.SecretAccessKey, string(edited)),
		"account id+token":  withCreds(t, srv, member1, "x", *a.SessionToken),
		"made-up ASIA key":  withCreds(t, srv, "ASIAAAAAAAAAAAAAAAAA", "x", "awstest2.e30.AAAA"),
		"long-term + token": withCreds(t, srv, mgmt, "x", "forged"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := callerIdentity(t, cl)
			wantCode(t, err, "InvalidClientTokenId")
			wantStatus(t, err, http.StatusForbidden)
			_, err = getRole(ctx, cl, awstest.OrganizationAccessRoleName)
			wantCode(t, err, "InvalidClientTokenId")
			_, err = cl.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			wantCode(t, err, "AuthFailure")
			wantStatus(t, err, http.StatusUnauthorized)
			_, err = cl.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			wantCode(t, err, "UnrecognizedClientException")
			wantStatus(t, err, http.StatusBadRequest)
		})
	}
	if got := len(srv.Writes()); got != 0 {
		t.Fatalf("%d writes", got)
	}
}

func TestAccessRoleOnlyInCreatedMembers(t *testing.T) {
	org := awstest.DefaultOrganization()
	org.Members = append(org.Members,
		awstest.Account{ID: "444444444444", JoinedMethod: awstest.JoinedInvited},
		awstest.Account{ID: "555555555555", JoinedMethod: awstest.JoinedInvited, Roles: []string{awstest.OrganizationAccessRoleName}},
		awstest.Account{ID: "666666666666", WithoutRoles: []string{awstest.OrganizationAccessRoleName}},
	)
	srv, c := startServer(t, awstest.WithOrganization(org))
	ctx := t.Context()
	for acct, ok := range map[string]bool{
		mgmt: false, member1: true, "444444444444": false, "555555555555": true, "666666666666": false,
	} {
		_, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(acct, awstest.OrganizationAccessRoleName)), RoleSessionName: aws.String("sweep")})
		if ok != (err == nil) {
			t.Errorf("AssumeRole into %s: %v", acct, err)
		}
		if !ok {
			wantCode(t, err, "AccessDenied")
		}
		if srv.Snapshot().HasRole(acct, awstest.OrganizationAccessRoleName) != ok {
			t.Errorf("snapshot: %s has the role: %v", acct, !ok)
		}
	}
	out := must[*organizations.DescribeAccountOutput](t)(c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("444444444444")}))
	if out.Account.JoinedMethod != "INVITED" {
		t.Fatalf("joined method = %s", out.Account.JoinedMethod)
	}
}

func TestAssumeRoleDurationAndPolicy(t *testing.T) {
	_, c := startServer(t)
	ctx := t.Context()
	arn := roleARN(member1, awstest.OrganizationAccessRoleName)
	try := func(c clients, in sts.AssumeRoleInput) error {
		in.RoleArn, in.RoleSessionName = aws.String(arn), aws.String("session")
		_, err := c.sts.AssumeRole(ctx, &in)
		return err
	}
	must[any](t)(nil, try(c, sts.AssumeRoleInput{DurationSeconds: aws.Int32(3600)}))
	err := try(c, sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)})
	ae := wantCode(t, err, "ValidationError")
	if !strings.Contains(ae.ErrorMessage(), "MaxSessionDuration") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}
	err = try(c, sts.AssumeRoleInput{DurationSeconds: aws.Int32(43201)})
	wantCode(t, err, "ValidationError")

	// Role chaining: a session assuming a role gets at most an hour.
	creds := assume(t, c, roleARN(member1, awstest.OrganizationAccessRoleName), "first")
	chained := clientsWith(t, c, creds)
	must[any](t)(nil, try(chained, sts.AssumeRoleInput{DurationSeconds: aws.Int32(3600)}))
	err = try(chained, sts.AssumeRoleInput{DurationSeconds: aws.Int32(3601)})
	ae = wantCode(t, err, "ValidationError")
	if !strings.Contains(ae.ErrorMessage(), "role chaining") {
		t.Fatalf("message %q", ae.ErrorMessage())
	}

	// A session policy must be a JSON policy document.
	for _, bad := range []string{"not json", `["Statement"]`, `{"Version":"2012-10-17"}`} {
		err = try(c, sts.AssumeRoleInput{Policy: aws.String(bad)})
		wantCode(t, err, "MalformedPolicyDocument")
		wantStatus(t, err, http.StatusBadRequest)
	}
	must[any](t)(nil, try(c, sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)}))
}

// clientsWith returns clients like c's that sign with creds.
func clientsWith(t *testing.T, c clients, creds *ststypes.Credentials) clients {
	o := c.sts.Options()
	cfg := aws.Config{
		Region:       o.Region,
		BaseEndpoint: o.BaseEndpoint,
		HTTPClient:   o.HTTPClient,
		Credentials:  credentials.NewStaticCredentialsProvider(*creds.AccessKeyId, *creds.SecretAccessKey, *creds.SessionToken),
	}
	return newClients(noRetry(cfg))
}
