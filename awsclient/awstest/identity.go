package awstest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
)

// identity is who signed a request. Signatures are not verified: the
// emulator trusts a long-term access key id that is an account id, as
// LocalStack does, and checks that temporary keys come with their own
// session token.
type identity struct {
	account string
	// roleName and session are set for credentials from sts:AssumeRole.
	roleName, session string
	// sessionPolicy is the session policy AssumeRole was given, with IAM
	// enforcement on; "" for none.
	sessionPolicy string
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

// scope is a SigV4 credential scope: "AKID/20260101/us-east-1/iam/aws4_request".
type scope struct {
	accessKey, region, service string
}

// credentialScope extracts the credential scope from a SigV4 Authorization
// header (or a presigned URL's X-Amz-Credential).
func credentialScope(r *http.Request) (scope, bool) {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); h != "" {
		_, rest, found := strings.Cut(h, "Credential=")
		if !found {
			return scope{}, false
		}
		cred, _, _ = strings.Cut(rest, ",")
		cred = strings.TrimSpace(cred)
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" {
		return scope{}, false
	}
	return scope{accessKey: parts[0], region: parts[2], service: parts[3]}, true
}

// sessionKeys issues and checks the temporary credentials of AssumeRole.
// A session token carries its session (account, role, session name) and a
// MAC under a secret drawn when the emulator starts, so that a forged or
// edited token is refused; the access key id is derived from the token, so
// each key is valid only with its own token.
type sessionKeys struct {
	secret [32]byte
	seq    atomic.Uint64
}

func (s *sessionKeys) init() {
	if _, err := rand.Read(s.secret[:]); err != nil {
		panic("awstest: no randomness for session keys: " + err.Error())
	}
}

// sessionClaims is what a session token says. Seq makes every AssumeRole's
// credentials unique.
type sessionClaims struct {
	Account string `json:"a"`
	Role    string `json:"r"`
	Session string `json:"s"`
	Seq     uint64 `json:"n"`
	Policy  string `json:"p,omitempty"`
}

const sessionTokenPrefix = "awstest2."

func (s *sessionKeys) mac(label string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.secret[:])
	m.Write([]byte(label))
	m.Write(payload)
	return m.Sum(nil)
}

// issue returns a new access key id and session token for a session with
// a session policy ("" for none).
func (s *sessionKeys) issue(account, roleName, session, policy string) (accessKey, token string) {
	payload, _ := json.Marshal(sessionClaims{Account: account, Role: roleName, Session: session, Seq: s.seq.Add(1), Policy: policy})
	token = sessionTokenPrefix + base64.RawURLEncoding.EncodeToString(payload) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac("token", payload))
	return s.keyFor(payload), token
}

// keyFor is the access key id of a token's payload: ASIA and 16 upper-case
// letters and digits, as STS's temporary keys look.
func (s *sessionKeys) keyFor(payload []byte) string {
	return "ASIA" + base32.StdEncoding.EncodeToString(s.mac("key", payload))[:16]
}

// check returns the claims of token when it is genuine and accessKey is its
// key.
func (s *sessionKeys) check(accessKey, token string) (sessionClaims, bool) {
	rest, ok := strings.CutPrefix(token, sessionTokenPrefix)
	p64, m64, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return sessionClaims{}, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac("token", payload)) ||
		!hmac.Equal([]byte(accessKey), []byte(s.keyFor(payload))) {
		return sessionClaims{}, false
	}
	var c sessionClaims
	if json.Unmarshal(payload, &c) != nil || !isAccountID(c.Account) {
		return sessionClaims{}, false
	}
	return c, true
}

// isTemporaryKey reports an access key id shaped like STS's temporary keys.
func isTemporaryKey(k string) bool { return strings.HasPrefix(k, "ASIA") }

// identify returns the caller of r, signed with scope sc (signed false
// when the request carries no signature). Errors are in the service's own
// terms.
func (e *Emulator) identify(r *http.Request, sc scope, signed bool, service string) (identity, *apiError) {
	if !signed {
		switch service {
		case svcOrganizations:
			return identity{}, errf(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		case svcEC2:
			return identity{}, errf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return identity{}, errf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	tok := r.Header.Get("X-Amz-Security-Token")
	if tok == "" {
		tok = r.URL.Query().Get("X-Amz-Security-Token")
	}
	key := sc.accessKey
	switch {
	case isAccountID(key) && tok == "":
		// A copy: the key is a substring of the Authorization header, and
		// the account id may outlive the request (in the audit log, as a
		// role's or an IPAM's owner).
		return identity{account: strings.Clone(key)}, nil
	case isTemporaryKey(key) && tok != "":
		if c, ok := e.sessions.check(key, tok); ok {
			return identity{account: c.Account, roleName: c.Role, session: c.Session, sessionPolicy: c.Policy}, nil
		}
	}
	// A long-term key sent with a session token, a temporary key without
	// its own token, or a key the emulator does not know: AWS answers each
	// as an invalid security token. Assumption (docs/emulator.md#identity):
	// the emulator knows only long-term keys that are account ids.
	switch service {
	case svcOrganizations:
		return identity{}, errf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	case svcEC2:
		return identity{}, errf(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	return identity{}, errf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
}
