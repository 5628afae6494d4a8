package fsm

// State is where the integration between IPAM and the organization stands.
type State string

// The lifecycle's states. Their values are stable and appear in logs, JSON
// output and plans.
const (
	// StateNone: no trusted access for IPAM, no delegated administrator and
	// no AWSServiceRoleForIPAM in the management account.
	StateNone State = "none"
	// StateTrusted: trusted access for ipam.amazonaws.com is enabled and no
	// delegated administrator is registered.
	StateTrusted State = "trusted"
	// StateDelegated: a delegated administrator is registered for IPAM.
	StateDelegated State = "delegated"
	// StateDisabled: trusted access is off and there is no administrator,
	// but AWSServiceRoleForIPAM is left in the management account.
	StateDisabled State = "disabled"
)

// StateUnknown is not a lifecycle state: it is what an observer reports
// when the reads that decide the state were denied to it, rather than
// guess one of the four. It is not Valid, not in States, and no event is
// allowed from it.
const StateUnknown State = "unknown"

// Event is a move from one State to another.
type Event string

// The lifecycle's events.
const (
	// EventEnableTrustedAccess has no AWS call of its own: IPAM grants
	// trusted access only as part of ec2:EnableIpamOrganizationAdminAccount,
	// so it is always followed by EventDelegate.
	EventEnableTrustedAccess Event = "enable-trusted-access"
	// EventDelegate is ec2:EnableIpamOrganizationAdminAccount.
	EventDelegate Event = "delegate"
	// EventRemoveDelegate is ec2:DisableIpamOrganizationAdminAccount.
	EventRemoveDelegate Event = "remove-delegate"
	// EventDisableTrustedAccess is organizations:DisableAWSServiceAccess.
	EventDisableTrustedAccess Event = "disable-trusted-access"
	// EventDeleteServiceLinkedRole is iam:DeleteServiceLinkedRole.
	EventDeleteServiceLinkedRole Event = "delete-service-linked-role"
	// EventRepairDelegation repairs a delegation made the wrong way
	// (trusted access and the administrator registered through AWS
	// Organizations, which creates no AWSServiceRoleForIPAM): the same
	// ec2:EnableIpamOrganizationAdminAccount as EventDelegate, for the
	// administrator already registered, which creates the missing roles
	// without removing it. It leads from delegated back to delegated, so
	// it is never on a Path.
	EventRepairDelegation Event = "repair-delegation"
)

// transition is one row of the lifecycle table.
type transition struct {
	event Event
	from  []State
	to    State
}

// table is the whole lifecycle: the one place that says which event leads
// from which state to which. Its order is the order Path prefers when two
// paths are equally short, and the order of the Mermaid diagram. An event
// whose row leads from a state back to itself (a repair, say) is never on
// a path: Path looks for moves between different states.
var table = []transition{
	{EventEnableTrustedAccess, []State{StateNone, StateDisabled}, StateTrusted},
	{EventDelegate, []State{StateTrusted}, StateDelegated},
	{EventRemoveDelegate, []State{StateDelegated}, StateTrusted},
	{EventDisableTrustedAccess, []State{StateTrusted}, StateDisabled},
	{EventDeleteServiceLinkedRole, []State{StateDisabled}, StateNone},
	{EventRepairDelegation, []State{StateDelegated}, StateDelegated},
}

// States returns every lifecycle state, in lifecycle order. StateUnknown is
// not one of them.
func States() []State {
	return []State{StateNone, StateTrusted, StateDelegated, StateDisabled}
}

// Events returns every event, in lifecycle order.
func Events() []Event {
	events := make([]Event, len(table))
	for i, t := range table {
		events[i] = t.event
	}
	return events
}

// Valid reports whether s is one of the lifecycle's states.
func (s State) Valid() bool {
	for _, known := range States() {
		if s == known {
			return true
		}
	}
	return false
}

// Valid reports whether e is one of the lifecycle's events.
func (e Event) Valid() bool {
	for _, t := range table {
		if e == t.event {
			return true
		}
	}
	return false
}

// Target returns the state that e leads to from from, and whether the
// lifecycle allows e in from at all.
func Target(from State, e Event) (State, bool) {
	for _, t := range table {
		if t.event != e {
			continue
		}
		for _, src := range t.from {
			if src == from {
				return t.to, true
			}
		}
	}
	return "", false
}
