package awstest

import (
	"fmt"
	"time"
)

// The mutators below change the state directly, for tests that need a
// starting point the APIs cannot (or should not) produce. They bypass the
// lag (their effect is visible at once), the audit log and the faults, and
// are safe for concurrent use.

// RemoveRole deletes roleName from accountID, e.g.
// OrganizationAccountAccessRole so that AssumeRole into the account fails.
func (e *Emulator) RemoveRole(accountID, roleName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roleHistory(accountID, roleName, true).reset(nil, false)
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
	e.roleHistory(accountID, roleName, true).reset(newRole(roleName, e.now()), true)
}

// SetTrustedAccess turns trusted access for principal on or off, with no
// side effect (no role, no check of the feature set, the principal or the
// admins).
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

// PutIPAM creates an IPAM as spec says (see IPAMSpec): create-complete and
// discovered at once, with its exclusions, creating AWSServiceRoleForIPAM
// in its owner's account when missing. It returns the IPAM's id, or a
// *SpecError for an invalid spec (exclusions included) or a second IPAM of
// the owner in the Region.
func (e *Emulator) PutIPAM(spec IPAMSpec) (string, error) {
	if err := checkIPAMSpec("ipam", spec); err != nil {
		return "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	region := ipamSpecRegion(spec)
	if len(e.aliveIPAMs(e.now(), spec.Owner, region)) > 0 {
		return "", specErr("ipam", "account %s already has an IPAM in %s (one IPAM per account per Region)", spec.Owner, region)
	}
	if err := checkIPAMExclusions("ipam", spec, e.m.org, e.ipamAdmin(), e.quotas.ouExclusions); err != nil {
		return "", err
	}
	return e.createIPAM(time.Time{}, spec).id, nil
}

// RemoveIPAM deletes the IPAM with id at once, as if its deletion had
// completed; it reports whether there was one.
func (e *Emulator) RemoveIPAM(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	for _, ip := range e.aliveIPAMs(now, "", "") {
		if ip.id == id {
			ip.deleting, ip.gone = true, now
			e.collectIPAMs(now)
			return true
		}
	}
	return false
}

// SetDiscoveryFailure makes IPAM's discovery of accountID fail in region
// ("" for every Region) with code (DiscoveryThrottlingFailure,
// DiscoveryUnauthorizedFailure, DiscoveryAssumeRoleFailure) and message,
// whatever its service-linked role; code "" clears it. It errs on a code
// EC2 does not define.
func (e *Emulator) SetDiscoveryFailure(accountID, region, code, message string) error {
	switch code {
	case "", DiscoveryAssumeRoleFailure, DiscoveryThrottlingFailure, DiscoveryUnauthorizedFailure:
	default:
		return fmt.Errorf("awstest: unknown discovery failure code %q", code)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := discoveryKey{accountID, region}
	if code == "" {
		delete(e.m.failures, k)
		return nil
	}
	if message == "" {
		message = "discovery failed (" + code + ")"
	}
	e.m.failures[k] = discoveryFailure{code, message}
	return nil
}
