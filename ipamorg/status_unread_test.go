package ipamorg

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ipamorg/sdk/fsm"
)

// A fact Observe could not read is null in the JSON, never its zero
// value; a Status read in full encodes its fields as they are.
func TestStatusJSONShowsUnreadFactsAsNull(t *testing.T) {
	full := &Status{State: fsm.StateDelegated, CallerAccountID: "111111111111", ManagementAccountID: "111111111111",
		TrustedAccess: true, DelegatedAdmin: "222222222222", ServiceLinkedRole: true, Warnings: []Warning{}}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["trusted_access"] != true || got["delegated_admin"] != "222222222222" || got["service_linked_role"] != true || full.Unread() != nil {
		t.Errorf("read in full: %s, unread %v", b, full.Unread())
	}

	member := &Status{State: fsm.StateUnknown, CallerAccountID: "333333333333", ManagementAccountID: "111111111111",
		unread: factTrusted | factAdmins | factRole, Warnings: []Warning{}}
	b, err = json.Marshal(member)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"trusted_access", "delegated_admin", "service_linked_role"} {
		if v, ok := got[name]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null: %s", name, v, ok, b)
		}
	}
	if got["state"] != "unknown" || got["caller_account_id"] != "333333333333" {
		t.Errorf("other fields lost: %s", b)
	}
	if u := member.Unread(); !slices.Equal(u, []string{"trusted_access", "delegated_admin", "service_linked_role"}) {
		t.Errorf("Unread = %v", u)
	}
	var back Status
	if err := json.Unmarshal(b, &back); err != nil || back.TrustedAccess || back.DelegatedAdmin != "" {
		t.Errorf("decoding null: %+v, %v", back, err)
	}
}
