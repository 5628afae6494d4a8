package awstest

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"time"
)

// org is the emulated organization. Its accounts and OUs never change after
// New, so reads of them need no history.
type org struct {
	id         string
	featureSet string
	mgmt       *account
	accounts   []*account // management first, then members in option order
	byID       map[string]*account
	root       *ou
	ous        map[string]*ou // by id, the root excluded
}

// ou is the root or an organizational unit.
type ou struct {
	id, name string
	parent   *ou // nil for the root
	children []*ou
	accounts []*account
	path     string // "o-…/r-…/ou-…/", as Organizations writes it
}

func (u *ou) isRoot() bool { return u.parent == nil }

// account is one account of the organization. Kept small: a generated
// organization has one per member.
type account struct {
	id, name, email, status string
	invited                 bool
	parent                  *ou
}

func (o *org) arn() string {
	return fmt.Sprintf("arn:aws:organizations::%s:organization/%s", o.mgmt.id, o.id)
}

func (o *org) accountARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", o.mgmt.id, o.id, id)
}

func (o *org) ouARN(u *ou) string {
	if u.isRoot() {
		return fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", o.mgmt.id, o.id, u.id)
	}
	return fmt.Sprintf("arn:aws:organizations::%s:ou/%s/%s", o.mgmt.id, o.id, u.id)
}

// role is one IAM role. Roles are derived deterministically from account and
// name so that equal setups give equal outputs. Roles never change once
// made, so histories share them by pointer.
type role struct {
	name, path, description, service string
	created                          time.Time
	maxSession                       int // seconds
}

func (r *role) arn(account string) string {
	return "arn:aws:iam::" + account + ":role" + r.path + r.name
}

func (r *role) serviceLinked() bool { return r.service != "" }

// roleID mimics IAM's AROA… ids.
func roleID(account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// defaultMaxSession is the MaxSessionDuration of the roles the emulator
// makes, IAM's default (one hour).
const defaultMaxSession = 3600

func ipamRole(created time.Time) *role {
	return &role{
		name:        IPAMRoleName,
		path:        IPAMRolePath,
		description: "Service-linked role for Amazon VPC IP Address Manager",
		service:     IPAMServicePrincipal,
		created:     created,
		maxSession:  defaultMaxSession,
	}
}

func plainRole(name string, created time.Time) *role {
	return &role{name: name, path: "/", created: created, maxSession: defaultMaxSession}
}

// newRole is the role a mutator or a scenario puts in an account by name.
func newRole(name string, created time.Time) *role {
	if name == IPAMRoleName {
		return ipamRole(created)
	}
	return plainRole(name, created)
}

type adminKey struct{ principal, account string }

type roleKey struct{ account, name string }

type deletionTask struct {
	id, account, role string
	created           time.Time
	failReason        string // "" when the deletion succeeds
	usage             []roleUsage
}

// model is everything the emulator's APIs can change. Guarded by
// Emulator.mu.
type model struct {
	org     *org                             // nil: no organization
	trusted map[string]*history[time.Time]   // principal → date enabled
	admins  map[adminKey]*history[time.Time] // → delegation date
	roles   map[roleKey]*history[*role]
	tasks   map[string]*deletionTask
	ipams   ipams
	// failures are discovery failures set by SetDiscoveryFailure.
	failures map[discoveryKey]discoveryFailure
	// policies are the roles' inline policies, by role: a role deleted
	// and made again starts without any. nil until the first is put.
	policies map[*role]*rolePolicies
	// created is when the emulator started: the date of everything that
	// exists from the start (written at the zero time to bypass the lag).
	created time.Time
}

// dated is the date to report for a write made at now.
func (e *Emulator) dated(now time.Time) time.Time {
	if now.IsZero() {
		return e.m.created
	}
	return now
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// inOrg reports whether account belongs to the organization.
func (e *Emulator) inOrg(account string) bool {
	return e.m.org != nil && e.m.org.byID[account] != nil
}

func (e *Emulator) isManagement(account string) bool {
	return e.m.org != nil && e.m.org.mgmt.id == account
}

func (e *Emulator) isMember(account string) bool {
	return e.inOrg(account) && !e.isManagement(account)
}

// hasDefaultAccessRole reports whether account has
// OrganizationAccountAccessRole unless a write says otherwise: members that
// Organizations created do, the management account and invited members do
// not.
func (e *Emulator) hasDefaultAccessRole(account string) bool {
	if !e.isMember(account) {
		return false
	}
	return !e.m.org.byID[account].invited
}

// roleHistory returns the history of one role, creating it (with the
// default OrganizationAccountAccessRole of created members) when create is
// set. Default roles are made lazily so that 100,000 members cost nothing
// until written.
func (e *Emulator) roleHistory(account, name string, create bool) *history[*role] {
	k := roleKey{account, name}
	if h := e.m.roles[k]; h != nil {
		return h
	}
	var h *history[*role]
	if name == OrganizationAccessRoleName && e.hasDefaultAccessRole(account) {
		h = &history[*role]{}
		h.reset(plainRole(name, e.m.created), true)
	}
	if !create {
		return h
	}
	if h == nil {
		h = &history[*role]{}
	}
	e.m.roles[k] = h
	return h
}

func (e *Emulator) roleAsOf(account, name string, t time.Time) (*role, bool) {
	return e.roleHistory(account, name, false).asOf(t)
}

func (e *Emulator) roleLatest(account, name string) (*role, bool) {
	return e.roleHistory(account, name, false).latest()
}

func (e *Emulator) putRole(now time.Time, account string, r *role) {
	e.roleHistory(account, r.name, true).set(now, r, true, e.cutoff(now))
}

func (e *Emulator) deleteRole(now time.Time, account, name string) {
	e.roleHistory(account, name, true).set(now, nil, false, e.cutoff(now))
}

func (e *Emulator) trustedLatest(principal string) (time.Time, bool) {
	return e.m.trusted[principal].latest()
}

func (e *Emulator) trustedOn(p string) bool {
	_, on := e.trustedLatest(p)
	return on
}

func (e *Emulator) setTrusted(now time.Time, principal string, enabled bool) {
	h := e.m.trusted[principal]
	if h == nil {
		h = &history[time.Time]{}
		e.m.trusted[principal] = h
	}
	h.set(now, e.dated(now), enabled, e.cutoff(now))
}

// adminsLatest returns the accounts registered for principal, sorted.
func (e *Emulator) adminsLatest(principal string) []string {
	var out []string
	for k, h := range e.m.admins {
		if _, ok := h.latest(); ok && k.principal == principal {
			out = append(out, k.account)
		}
	}
	slices.Sort(out)
	return out
}

// ipamAdmin returns the IPAM delegated administrator as of the latest
// state, or "".
func (e *Emulator) ipamAdmin() string {
	if a := e.adminsLatest(IPAMServicePrincipal); len(a) > 0 {
		return a[0]
	}
	return ""
}

func (e *Emulator) setAdmin(now time.Time, principal, account string, registered bool) {
	k := adminKey{principal, account}
	h := e.m.admins[k]
	if h == nil {
		h = &history[time.Time]{}
		e.m.admins[k] = h
	}
	h.set(now, e.dated(now), registered, e.cutoff(now))
}
