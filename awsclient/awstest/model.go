package awstest

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// org is the emulated organization. Its accounts never change after New,
// so reads of it need no history.
type org struct {
	id         string
	rootID     string
	featureSet string
	mgmt       *account
	accounts   []*account // management first, then members in option order
	byID       map[string]*account
}

type account struct {
	id, name, email, status string
	joined                  time.Time
}

func (o *org) arn() string {
	return fmt.Sprintf("arn:aws:organizations::%s:organization/%s", o.mgmt.id, o.id)
}

func (o *org) accountARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", o.mgmt.id, o.id, id)
}

// role is one IAM role. Roles are derived deterministically from account and
// name so that equal setups give equal outputs.
type role struct {
	name, path, description, service string
	created                          time.Time
}

func (r role) arn(account string) string {
	return "arn:aws:iam::" + account + ":role" + r.path + r.name
}

func (r role) serviceLinked() bool { return r.service != "" }

// roleID mimics IAM's AROA… ids.
func roleID(account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

func ipamRole(created time.Time) role {
	return role{
		name:        IPAMRoleName,
		path:        IPAMRolePath,
		description: "Service-linked role for Amazon VPC IP Address Manager",
		service:     IPAMServicePrincipal,
		created:     created,
	}
}

func plainRole(name string, created time.Time) role {
	return role{name: name, path: "/", created: created}
}

type adminKey struct{ principal, account string }

type deletionTask struct {
	account, role string
	created       time.Time
	failReason    string // "" when the deletion succeeds
}

// model is everything the emulator's APIs can change. Guarded by
// Emulator.mu.
type model struct {
	org     *org                             // nil: no organization
	trusted map[string]*history[time.Time]   // principal → date enabled
	admins  map[adminKey]*history[time.Time] // → delegation date
	roles   map[string]map[string]*history[role]
	tasks   map[string]*deletionTask
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

func newOrg(spec Organization, created time.Time) *org {
	fs := spec.FeatureSet
	if fs == "" {
		fs = FeatureSetAll
	}
	if fs != FeatureSetAll && fs != FeatureSetConsolidatedBilling {
		panic("awstest: invalid feature set " + fs)
	}
	sum := sha256.Sum256([]byte(spec.ManagementAccount.ID))
	h := hex.EncodeToString(sum[:])
	o := &org{
		id:         "o-" + h[:10],
		rootID:     "r-" + h[10:14],
		featureSet: fs,
		byID:       make(map[string]*account, len(spec.Members)+1),
	}
	add := func(a Account, mgmt bool) *account {
		if !isAccountID(a.ID) {
			panic(fmt.Sprintf("awstest: invalid account id %q", a.ID))
		}
		if _, dup := o.byID[a.ID]; dup {
			panic("awstest: duplicate account id " + a.ID)
		}
		acc := &account{id: a.ID, name: a.Name, email: a.Email, status: a.Status, joined: created}
		if acc.name == "" {
			acc.name = "account-" + a.ID
		}
		if acc.email == "" {
			acc.email = a.ID + "@example.com"
		}
		if acc.status == "" || mgmt {
			acc.status = StatusActive
		}
		if acc.status != StatusActive && acc.status != StatusSuspended {
			panic("awstest: invalid account status " + acc.status)
		}
		o.byID[a.ID] = acc
		o.accounts = append(o.accounts, acc)
		return acc
	}
	o.mgmt = add(spec.ManagementAccount, true)
	for _, m := range spec.Members {
		add(m, false)
	}
	return o
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

// roleHistory returns the history of one role, creating it (with the
// default OrganizationAccountAccessRole of organization accounts) when
// create is set. Organization accounts get their default role lazily so
// that 10,000 members cost nothing until written.
func (e *Emulator) roleHistory(account, name string, create bool) *history[role] {
	byName := e.m.roles[account]
	if h := byName[name]; h != nil {
		return h
	}
	var h *history[role]
	if name == OrganizationAccessRoleName && e.inOrg(account) {
		h = &history[role]{}
		h.reset(plainRole(name, e.m.created), true)
	}
	if !create {
		return h
	}
	if h == nil {
		h = &history[role]{}
	}
	if byName == nil {
		byName = map[string]*history[role]{}
		e.m.roles[account] = byName
	}
	byName[name] = h
	return h
}

func (e *Emulator) roleAsOf(account, name string, t time.Time) (role, bool) {
	return e.roleHistory(account, name, false).asOf(t)
}

func (e *Emulator) roleLatest(account, name string) (role, bool) {
	return e.roleHistory(account, name, false).latest()
}

func (e *Emulator) putRole(now time.Time, account string, r role) {
	e.roleHistory(account, r.name, true).set(now, r, true, e.cutoff(now))
}

func (e *Emulator) deleteRole(now time.Time, account, name string) {
	e.roleHistory(account, name, true).set(now, role{}, false, e.cutoff(now))
}

func (e *Emulator) trustedLatest(principal string) (time.Time, bool) {
	return e.m.trusted[principal].latest()
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

func (e *Emulator) setAdmin(now time.Time, principal, account string, registered bool) {
	k := adminKey{principal, account}
	h := e.m.admins[k]
	if h == nil {
		h = &history[time.Time]{}
		e.m.admins[k] = h
	}
	h.set(now, e.dated(now), registered, e.cutoff(now))
}

// validPrincipal accepts names shaped like AWS service principals.
func validPrincipal(p string) bool {
	if len(p) < 1 || len(p) > 128 || !strings.HasSuffix(p, ".amazonaws.com") {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
