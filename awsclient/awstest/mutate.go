package awstest

import "time"

// The mutators below change the state directly, for tests that need a
// starting point the APIs cannot (or should not) produce. They bypass the
// lag (their effect is visible at once), the audit log and the faults, and
// are safe for concurrent use.

// RemoveRole deletes roleName from accountID, e.g.
// OrganizationAccountAccessRole so that AssumeRole into the account fails.
func (e *Emulator) RemoveRole(accountID, roleName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roleHistory(accountID, roleName, true).reset(role{}, false)
}

// DeleteIPAMRole deletes AWSServiceRoleForIPAM from accountID, as if the
// account were broken for IPAM.
func (e *Emulator) DeleteIPAMRole(accountID string) {
	e.RemoveRole(accountID, IPAMRoleName)
}

// PutRole creates roleName in accountID: AWSServiceRoleForIPAM as IPAM's
// service-linked role, any other name as a plain role that the account and
// the management account may assume.
func (e *Emulator) PutRole(accountID, roleName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	r := plainRole(roleName, now)
	if roleName == IPAMRoleName {
		r = ipamRole(now)
	}
	e.roleHistory(accountID, roleName, true).reset(r, true)
}

// SetTrustedAccess turns trusted access for principal on or off, with no
// side effect (no role, no check of the feature set or of admins).
func (e *Emulator) SetTrustedAccess(principal string, enabled bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	h := e.m.trusted[principal]
	if h == nil {
		h = &history[time.Time]{}
		e.m.trusted[principal] = h
	}
	h.reset(e.now(), enabled)
}

// SetDelegatedAdmins replaces the delegated administrators of principal
// with accountIDs (none: no admin), with no side effect and no checks.
func (e *Emulator) SetDelegatedAdmins(principal string, accountIDs ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	for k, h := range e.m.admins {
		if k.principal == principal {
			h.reset(time.Time{}, false)
		}
	}
	for _, id := range accountIDs {
		h := &history[time.Time]{}
		h.reset(now, true)
		e.m.admins[adminKey{principal, id}] = h
	}
}
