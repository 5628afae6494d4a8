package awstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
)

// DecidedByRoot is the deciding statement of a request made with an
// account's long-term key: the account's root user, which identity
// policies do not restrict.
const DecidedByRoot = "root"

// Evaluation is IAM's decision on one action that a request needed: the
// operation's own action and, for operations that act on other services
// with the caller's permissions, theirs (see
// docs/emulator.md#iam-dependent-actions).
type Evaluation struct {
	// Action is the IAM action, e.g. "organizations:ListRoots".
	Action string `json:"action"`
	// Resource is the ARN the action was authorized on, or "*".
	Resource string `json:"resource"`
	// Decision is DecisionAllowed, DecisionExplicitDeny or
	// DecisionImplicitDeny.
	Decision string `json:"decision"`
	// Statement names the statement that decided, as
	// Request.DecidingStatement does; "" for an implicit deny.
	Statement string `json:"statement,omitempty"`
}

// authorize evaluates the caller's policies for the request when IAM
// enforcement is on, records the decision in rec, and returns the
// service's denial when a needed action is not allowed. Dependent actions
// are evaluated in turn after the operation's own, up to the first
// denial; a dry run evaluates only the operation's own action.
func (e *Emulator) authorize(c *call, rec *Request) *apiError {
	if !e.enforceIAM {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	auth := authorizations[c.op.action()]
	principalARN := c.id.arn()
	if c.id.roleName != "" {
		principalARN = e.roleARN(c.id.account, c.id.roleName)
	}
	global := map[string]string{"aws:principalaccount": c.id.account, "aws:principalarn": principalARN}
	if c.region != "" {
		global["aws:requestedregion"] = c.region
	}
	reqs := []authzRequest{{action: c.op.action(), resource: "*"}}
	if auth.resource != nil {
		reqs[0].resource = auth.resource(e, c)
	}
	if auth.keys != nil {
		reqs[0].keys = auth.keys(c)
	}
	if auth.dependent != nil && !c.dryRun {
		reqs = append(reqs, auth.dependent(e, c)...)
	}

	switch {
	case auth.free:
		rec.Decision = DecisionAllowed
		rec.Evaluations = []Evaluation{{Action: reqs[0].action, Resource: reqs[0].resource, Decision: DecisionAllowed}}
		return nil
	case c.id.roleName == "":
		// The root user: identity policies do not restrict it.
		rec.Decision, rec.DecidingStatement = DecisionAllowed, DecidedByRoot
		for _, r := range reqs {
			rec.Evaluations = append(rec.Evaluations, Evaluation{r.action, r.resource, DecisionAllowed, DecidedByRoot})
		}
		return nil
	}

	identityPolicies := e.identityPolicies(c.id.account, c.id.roleName)
	var session []*policy
	if c.id.sessionPolicy != "" {
		// Checked when AssumeRole took it; a policy that no longer parses
		// would allow nothing.
		if p, ae := parsePolicy(sessionPolicyName, c.id.sessionPolicy); ae == nil {
			session = []*policy{p}
		} else {
			session = []*policy{}
		}
	}
	for i := range reqs {
		r := &reqs[i]
		r.keys = mergeKeys(global, r.keys)
		v, bySession := decide(identityPolicies, session, r)
		rec.Evaluations = append(rec.Evaluations, Evaluation{r.action, r.resource, v.decision, v.statement})
		if v.decision != DecisionAllowed {
			rec.Decision, rec.DecidingStatement = v.decision, v.statement
			return denial(c, r, v, bySession)
		}
		if i == 0 {
			rec.Decision, rec.DecidingStatement = v.decision, v.statement
		}
	}
	return nil
}

func mergeKeys(global, own map[string]string) map[string]string {
	out := make(map[string]string, len(global)+len(own))
	for k, v := range global {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// denial is the service's answer to a denied action, with the message
// IAM's authorization gives ("User: … is not authorized to perform: … on
// resource: … because no identity-based policy allows the … action"):
// Organizations AccessDeniedException (HTTP 400, as its model declares),
// EC2 UnauthorizedOperation (403) with an encoded authorization message,
// IAM and STS AccessDenied (403).
func denial(c *call, r *authzRequest, v verdict, bySession bool) *apiError {
	src, article := "identity-based policy", "an"
	if bySession {
		src, article = "session policy", "a"
	}
	why := fmt.Sprintf("because no %s allows the %s action", src, r.action)
	if v.decision == DecisionExplicitDeny {
		why = "with an explicit deny in " + article + " " + src
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", c.id.arn(), r.action, truncate(r.resource, 512), why)
	switch c.op.service {
	case svcOrganizations:
		return errf(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	case svcEC2:
		return errf(http.StatusForbidden, "UnauthorizedOperation",
			"You are not authorized to perform this operation. %s. Encoded authorization failure message: %s", msg, encodedFailure(c, r, v))
	}
	return errf(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// encodedFailure stands for EC2's encoded authorization failure message,
// which sts:DecodeAuthorizationMessage decodes on AWS: here the decision
// in JSON, base64url-encoded (the emulator serves no
// DecodeAuthorizationMessage).
func encodedFailure(c *call, r *authzRequest, v verdict) string {
	type item struct {
		StatementID string `json:"statementId"`
	}
	doc := struct {
		Allowed           bool `json:"allowed"`
		ExplicitDeny      bool `json:"explicitDeny"`
		MatchedStatements struct {
			Items []item `json:"items"`
		} `json:"matchedStatements"`
		Context struct {
			Principal struct {
				Arn string `json:"arn"`
			} `json:"principal"`
			Action   string `json:"action"`
			Resource string `json:"resource"`
		} `json:"context"`
	}{ExplicitDeny: v.decision == DecisionExplicitDeny}
	doc.MatchedStatements.Items = []item{}
	if v.statement != "" {
		doc.MatchedStatements.Items = append(doc.MatchedStatements.Items, item{v.statement})
	}
	doc.Context.Principal.Arn = c.id.arn()
	doc.Context.Action, doc.Context.Resource = r.action, r.resource
	b, _ := json.Marshal(doc)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkSessionPolicy validates AssumeRole's Policy: with IAM enforcement
// on, as IAM validates an identity policy; off, only that it is a JSON
// object with a Statement, as before enforcement existed.
func (e *Emulator) checkSessionPolicy(doc string) *apiError {
	if e.enforceIAM {
		_, ae := parsePolicy(sessionPolicyName, doc)
		return ae
	}
	if !isPolicyDocument(doc) {
		return malformedPolicy("The policy is not in the valid JSON format.")
	}
	return nil
}
