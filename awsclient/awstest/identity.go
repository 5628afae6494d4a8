package awstest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// identity is who signed a request. Signatures are not verified: the
// emulator trusts the access key id, as LocalStack does.
type identity struct {
	account string
	// roleName and session are set for credentials from sts:AssumeRole.
	roleName, session string
}

func (id identity) arn() string {
	if id.roleName != "" {
		return "arn:aws:sts::" + id.account + ":assumed-role/" + id.roleName + "/" + id.session
	}
	return "arn:aws:iam::" + id.account + ":root"
}

func (id identity) userID() string {
	if id.roleName != "" {
		return roleID(id.account, id.roleName) + ":" + id.session
	}
	return id.account
}

// credentialScope extracts the access key id and the service name from a
// SigV4 Authorization header (or a presigned URL's X-Amz-Credential):
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, ...".
func credentialScope(r *http.Request) (accessKey, service string, ok bool) {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); h != "" {
		_, rest, found := strings.Cut(h, "Credential=")
		if !found {
			return "", "", false
		}
		cred, _, _ = strings.Cut(rest, ",")
		cred = strings.TrimSpace(cred)
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" {
		return "", "", false
	}
	return parts[0], parts[3], true
}

// sessionToken is what the emulator's AssumeRole puts in SessionToken, so
// that later requests signed with those credentials know the role and
// session without any server-side table (and survive a restart).
type sessionToken struct {
	Account string `json:"a"`
	Role    string `json:"r"`
	Session string `json:"s"`
}

const sessionTokenPrefix = "awstest1."

func (t sessionToken) encode() string {
	b, _ := json.Marshal(t)
	return sessionTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// identify returns the caller of r. A missing or unparseable signature and
// an access key id that is not a 12-digit account id are errors in the
// protocol's own terms.
func identify(r *http.Request, service string) (identity, *apiError) {
	key, _, ok := credentialScope(r)
	if !ok {
		switch service {
		case svcOrganizations:
			return identity{}, errf(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		case svcEC2:
			return identity{}, errf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return identity{}, errf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if !isAccountID(key) {
		// Assumption (DESIGN.md §7): the emulator knows only access key ids
		// that are account ids, so any other key is unknown to it.
		switch service {
		case svcOrganizations:
			return identity{}, errf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
		case svcEC2:
			return identity{}, errf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return identity{}, errf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	id := identity{account: key}
	tok := r.Header.Get("X-Amz-Security-Token")
	if tok == "" {
		tok = r.URL.Query().Get("X-Amz-Security-Token")
	}
	if raw, found := strings.CutPrefix(tok, sessionTokenPrefix); found {
		var st sessionToken
		if b, err := base64.RawURLEncoding.DecodeString(raw); err == nil && json.Unmarshal(b, &st) == nil && st.Account == key {
			id.roleName, id.session = st.Role, st.Session
		}
	}
	return id, nil
}
