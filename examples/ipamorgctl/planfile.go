package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ipamorg/sdk/fsm"
	"github.com/ipamorg/sdk/ipamorg"
)

// planFormatVersion is the format_version of the plans this ipamorgctl
// writes, and the only one it applies. docs/plan-format.md documents it,
// docs/plan-format.schema.json is its JSON Schema; change all three
// together, and bump the version for any change a reader of version 1
// would misread.
const planFormatVersion = "1"

// maxPlanFile bounds what apply reads: a plan is a few kilobytes.
const maxPlanFile = 1 << 20

// planFile is a saved plan (plan --out FILE), and the JSON of plan
// --output json: a plan of ipamorg with what it was made from and by.
type planFile struct {
	// FormatVersion is planFormatVersion.
	FormatVersion string `json:"format_version"`
	// CreatedBy is the ipamorgctl that made it, as --version prints it.
	CreatedBy string `json:"created_by"`
	// CreatedAt is when it was made (UTC).
	CreatedAt time.Time `json:"created_at"`
	// Target is the target it was made against, as the first line of
	// output names it. For people: apply checks the organization itself.
	Target string `json:"target"`
	// Status, Desired and Steps are the ipamorg.Plan's.
	Status  *ipamorg.Status `json:"status"`
	Desired ipamorg.Desired `json:"desired"`
	Steps   []ipamorg.Step  `json:"steps"`
	// Permissions is the permission check of the steps, with
	// --check-permissions; for people, apply ignores it.
	Permissions *ipamorg.PermissionReport `json:"permissions,omitempty"`
}

// newPlanFile returns the saved form of p, made against t.
func newPlanFile(p *ipamorg.Plan, t *target, now time.Time) *planFile {
	steps := p.Steps
	if steps == nil {
		steps = []ipamorg.Step{}
	}
	return &planFile{
		FormatVersion: planFormatVersion,
		CreatedBy:     versionLine(),
		CreatedAt:     now.UTC().Truncate(time.Second),
		Target:        t.Desc,
		Status:        p.Status,
		Desired:       p.Desired,
		Steps:         steps,
	}
}

// plan returns the ipamorg.Plan the file holds.
func (f *planFile) plan() *ipamorg.Plan {
	return &ipamorg.Plan{Status: f.Status, Desired: f.Desired, Steps: f.Steps}
}

// writePlanFile writes f to path atomically: a plan interrupted while
// being written leaves no file rather than half of one.
func writePlanFile(path string, f *planFile) error {
	var b bytes.Buffer
	if err := writeJSON(&b, f); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save the plan: %w", err)
	}
	return nil
}

// errPlanFile is the category of plan files apply refuses before any AWS
// call; the command exits with a usage error.
var errPlanFile = errors.New("invalid plan file")

// planFileError returns a usage error for the plan file at path.
func planFileError(path, format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf("%w %s: %s", errPlanFile, path, fmt.Sprintf(format, args...))}
}

// readPlanFile reads and checks the plan file at path: its format_version
// first, so that a plan of another version is refused with that reason
// rather than with whatever field it lacks; then every field, strictly.
func readPlanFile(path string) (*planFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("read the plan: %w", err)}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxPlanFile+1))
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("read the plan: %w", err)}
	}
	if len(data) > maxPlanFile {
		return nil, planFileError(path, "larger than %d bytes: not a plan made by ipamorgctl plan --out", maxPlanFile)
	}

	var probe struct {
		FormatVersion *json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, planFileError(path, "not JSON (%v): not a plan made by ipamorgctl plan --out", err)
	}
	if probe.FormatVersion == nil {
		return nil, planFileError(path, "no format_version: not a plan made by ipamorgctl plan --out")
	}
	var version string
	if err := json.Unmarshal(*probe.FormatVersion, &version); err != nil || version != planFormatVersion {
		return nil, planFileError(path, "format_version %s is not supported: this ipamorgctl applies plans of format_version %q only; "+
			"make the plan again with it (ipamorgctl plan ... --out FILE)", *probe.FormatVersion, planFormatVersion)
	}

	var f planFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, planFileError(path, "%v", err)
	}
	if dec.More() {
		return nil, planFileError(path, "more than one JSON value")
	}
	switch {
	case f.Status == nil:
		return nil, planFileError(path, "no status")
	case !f.Status.State.Valid():
		return nil, planFileError(path, "status.state %q is not a lifecycle state", f.Status.State)
	case !f.Desired.State.Valid():
		return nil, planFileError(path, "desired.state %q is not a lifecycle state", f.Desired.State)
	case f.Steps == nil:
		return nil, planFileError(path, "no steps (an empty plan has \"steps\": [])")
	}
	return &f, nil
}

// checkSavedPlan compares the saved plan f with fresh, the plan made now
// for f's desired state. A plan for another organization is refused; one
// whose steps differ from what Plan makes from the same state was edited
// (or made by something else) and is refused as an invalid plan file. A stale plan, one
// whose organization moved on, is left to Apply, which refuses it with
// ipamorg.ErrStalePlan before writing.
func checkSavedPlan(path string, f *planFile, fresh *ipamorg.Plan) error {
	saved, now := f.Status, fresh.Status
	if saved.OrganizationID != now.OrganizationID || saved.ManagementAccountID != now.ManagementAccountID {
		return fmt.Errorf("plan %s was made for organization %s (management account %s), but the target is organization %s (management account %s): nothing was written",
			path, saved.OrganizationID, saved.ManagementAccountID, now.OrganizationID, now.ManagementAccountID)
	}
	if saved.State != now.State || saved.DelegatedAdmin != now.DelegatedAdmin {
		return nil // stale: Apply says so
	}
	if !slices.Equal(f.Steps, fresh.Steps) {
		return planFileError(path, "its steps are not the steps from %s to %s (%s); was the file edited? nothing was written: make the plan again",
			saved.State, f.Desired.State, eventList(stepEvents(fresh.Steps)))
	}
	return nil
}

func stepEvents(steps []ipamorg.Step) []fsm.Event {
	events := make([]fsm.Event, len(steps))
	for i, s := range steps {
		events[i] = s.Event
	}
	return events
}
