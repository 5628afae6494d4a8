package ipamorg_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// A Transition's JSON is its Step's fields, "at" and "duration_ms" in
// integer milliseconds, and decodes back to the same value.
func TestTransitionJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tr := ipamorg.Transition{
		Step: ipamorg.Step{Event: fsm.EventDelegate, From: fsm.StateTrusted, To: fsm.StateDelegated, Action: enableAdmin, Account: memberA},
		At:   at, Duration: 1500 * time.Millisecond,
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":"delegate","from":"trusted","to":"delegated","action":"ec2:EnableIpamOrganizationAdminAccount",` +
		`"account":"222222222222","at":"2026-01-02T03:04:05Z","duration_ms":1500}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	var back ipamorg.Transition
	if err := json.Unmarshal(b, &back); err != nil || back != tr {
		t.Errorf("decoded %+v, %v; want %+v", back, err, tr)
	}
	// In a Result too.
	b, err = json.Marshal(ipamorg.Result{Transitions: []ipamorg.Transition{tr}})
	if err != nil || !json.Valid(b) || !strings.Contains(string(b), `"duration_ms":1500`) {
		t.Errorf("Result JSON %s, %v", b, err)
	}
}
