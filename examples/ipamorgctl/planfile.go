package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
		return saveError(path, err)
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
		return saveError(path, err)
	}
	return nil
}

// saveError says that the plan could not be saved at path, with the
// system's reason rather than the name of the temporary file it failed
// on.
func saveError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("could not save the plan to %s: %w (the plan above was made; nothing was written to AWS)", path, err)
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

// savedPlan is the plan file that apply FILE takes, for the messages
// that suggest making it again.
type savedPlan struct {
	path string
	file *planFile
}

// replanCommand is the plan command that makes the saved plan again, from
// the organization's state now.
func (s *savedPlan) replanCommand(a *app) string {
	args := append([]string{"plan"}, moveArgs(s.file.Desired)...)
	return a.globalCommand(append(args, "--out", s.path)...)
}

// moveArgs are the plan flags that ask for d: moveFlags.desired's inverse.
func moveArgs(d ipamorg.Desired) []string {
	var args []string
	switch d.State {
	case fsm.StateDelegated:
		args = []string{"--delegate", d.DelegatedAdmin}
		if d.AllowReplace {
			args = append(args, "--replace")
		}
	case fsm.StateTrusted:
		args = []string{"--remove"}
	case fsm.StateDisabled:
		args = []string{"--disable"}
	default:
		args = []string{"--cleanup"}
	}
	if d.AllowIPAMResources {
		args = append(args, "--allow-ipam-resources")
	}
	return args
}

// checkSavedTarget refuses a plan made against another target than t,
// unless allowed: a plan made against the emulator must not be applied to
// AWS because an endpoint flag was left out. The targets are compared by
// where the requests go and as which account, not by what configured it.
func checkSavedTarget(path string, f *planFile, t *target, allow bool) error {
	if allow || sameTarget(f.Target, t.Desc) {
		return nil
	}
	return withFix(fmt.Errorf("plan %s was made against %s, but the target is %s: nothing was written", path, redactURLs(f.Target), t.Desc),
		"Apply it with the target it was made against (the global flags of the plan command), or pass --allow-other-target if this target is meant.")
}

// sourceNotes are the parenthesized notes of a target's description: what
// set each endpoint, where the credentials came from.
var sourceNotes = regexp.MustCompile(` \([^()]*\)`)

// sameTarget reports whether two target descriptions name the same
// endpoints and account, whatever configured them.
func sameTarget(a, b string) bool {
	key := func(s string) string { return sourceNotes.ReplaceAllString(redactURLs(s), "") }
	return key(a) == key(b)
}

// userinfoPassword matches the password of a URL's userinfo in free text.
var userinfoPassword = regexp.MustCompile(`(://[^/\s:@]*:)[^/\s@]*@`)

// redactURLs hides the passwords of the URLs in s, as redactURL does for
// one URL: for target descriptions written before they were redacted.
func redactURLs(s string) string { return userinfoPassword.ReplaceAllString(s, "${1}xxxxx@") }

// checkSavedOrganization refuses a plan made for another organization than
// the one st observed.
func checkSavedOrganization(path string, f *planFile, st *ipamorg.Status) error {
	saved := f.Status
	if saved.OrganizationID == st.OrganizationID && saved.ManagementAccountID == st.ManagementAccountID {
		return nil
	}
	return fmt.Errorf("plan %s was made for organization %s (management account %s), but the target is organization %s (management account %s): nothing was written",
		path, saved.OrganizationID, saved.ManagementAccountID, st.OrganizationID, st.ManagementAccountID)
}
