package awstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type callerIdentityResult struct {
	UserId  string
	Account string
	Arn     string
}

type assumeRoleResult struct {
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      isoTime
	}
	AssumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
}

func (e *Emulator) getCallerIdentity(c *call) (any, *apiError) {
	return callerIdentityResult{UserId: c.id.userID(), Account: c.id.account, Arn: c.id.arn()}, nil
}

// parseRoleARN splits arn:aws:iam::<account>:role[/path]/<name>.
func parseRoleARN(arn string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found || len(rest) < 13 || !isAccountID(rest[:12]) {
		return "", "", "", false
	}
	account, rest = rest[:12], rest[12:]
	res, found := strings.CutPrefix(rest, ":role/")
	if !found || res == "" || strings.HasSuffix(res, "/") {
		return "", "", "", false
	}
	i := strings.LastIndex(res, "/")
	return account, "/" + res[:i+1], res[i+1:], true
}

func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c))
	}) < 0
}

func (e *Emulator) assumeRole(c *call) (any, *apiError) {
	arn, session := c.form.Get("RoleArn"), c.form.Get("RoleSessionName")
	if arn == "" || session == "" {
		return nil, iamValidation("RoleArn and RoleSessionName are required.")
	}
	target, path, name, ok := parseRoleARN(arn)
	if !ok {
		return nil, iamValidation("%s is invalid", truncate(arn, 256))
	}
	if !validSessionName(session) {
		return nil, iamValidation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	duration := time.Hour
	if v := c.form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > 43200 {
			return nil, iamValidation("The requested DurationSeconds exceeds the allowed range (900 to 43200).")
		}
		duration = time.Duration(n) * time.Second
	}
	var sessionPolicy string
	if pol, set := c.form["Policy"]; set {
		if ae := e.checkSessionPolicy(pol[0]); ae != nil {
			return nil, ae
		}
		if e.enforceIAM {
			sessionPolicy = pol[0]
		}
	}
	denied := errf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.id.arn(), truncate(arn, 256))
	r, exists := e.roleAsOf(target, name, e.roleView(c.now, target))
	// Assumption (docs/emulator.md#trust): roles trust their own account
	// and, in member accounts, the organization's management account (as
	// OrganizationAccountAccessRole does); service-linked roles trust only
	// their service.
	trusted := c.id.account == target || e.isManagement(c.id.account) && e.inOrg(target)
	if !exists || r.path != path || r.serviceLinked() || !trusted {
		return nil, denied
	}
	switch {
	case c.id.roleName != "" && duration > time.Hour:
		// Role chaining: a role's session assuming a role gets at most
		// an hour (IAM User Guide, "Role chaining").
		return nil, iamValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	case duration > time.Duration(r.maxSession)*time.Second:
		return nil, iamValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	var out assumeRoleResult
	out.Credentials.AccessKeyId, out.Credentials.SessionToken = e.sessions.issue(target, name, session, sessionPolicy)
	out.Credentials.SecretAccessKey = "awstest-secret-" + out.Credentials.AccessKeyId
	out.Credentials.Expiration = isoTime(c.now.Add(duration))
	assumed := identity{account: target, roleName: name, session: session}
	out.AssumedRoleUser.AssumedRoleId = assumed.userID()
	out.AssumedRoleUser.Arn = assumed.arn()
	return out, nil
}

// isPolicyDocument reports whether s is a JSON policy document: an object
// with a Statement.
func isPolicyDocument(s string) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &doc) != nil {
		return false
	}
	st, ok := doc["Statement"]
	return ok && len(st) > 0 && (st[0] == '[' || st[0] == '{')
}
