package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/ipamorg/sdk/ipamorg"
)

// writeJSON writes v as indented JSON and a newline. The shapes are the
// ipamorg types' own, whose JSON names are stable.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return nil
}

// writeJSONLine writes v as one line of JSON, for the JSON lines on
// stderr (the target, errors).
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// table returns a tabwriter for aligned columns; Flush it.
func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// unknownFact is how a fact that was not read is shown: never as the
// zero value the Status holds for it.
const unknownFact = "unknown (not read: see the warnings)"

// writeStatus renders st for people: the state and the admin first, then
// the facts they were recognised from, then the warnings. A fact Observe
// could not read is shown as unknown.
func writeStatus(w io.Writer, st *ipamorg.Status) error {
	tw := table(w)
	unread := st.Unread()
	admin := st.DelegatedAdmin
	if admin == "" {
		admin = "none"
	}
	if slices.Contains(unread, "delegated_admin") {
		admin = unknownFact
	}
	trusted := onOff(st.TrustedAccess, "on", "off")
	if slices.Contains(unread, "trusted_access") {
		trusted = unknownFact
	}
	role := onOff(st.ServiceLinkedRole,
		"AWSServiceRoleForIPAM present in the management account",
		"AWSServiceRoleForIPAM absent from the management account")
	if slices.Contains(unread, "service_linked_role") {
		role = unknownFact
	}
	caller := st.CallerAccountID
	if caller == st.ManagementAccountID {
		caller += " (management account)"
	} else {
		caller += " (not the management account)"
	}
	fmt.Fprintf(tw, "state:\t%s\n", st.State)
	fmt.Fprintf(tw, "delegated admin:\t%s\n", admin)
	fmt.Fprintf(tw, "trusted access:\t%s\n", trusted)
	fmt.Fprintf(tw, "service-linked role:\t%s\n", role)
	fmt.Fprintf(tw, "organization:\t%s (feature set %s)\n", st.OrganizationID, st.FeatureSet)
	fmt.Fprintf(tw, "management account:\t%s\n", st.ManagementAccountID)
	fmt.Fprintf(tw, "caller:\t%s\n", caller)
	fmt.Fprintf(tw, "warnings:\t%s\n", countOrNone(len(st.Warnings)))
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeWarnings(w, st.Warnings)
}

func countOrNone(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

// writeWarnings lists warnings, one per line, marked so that they stand
// out, in the CLI's terms.
func writeWarnings(w io.Writer, warnings []ipamorg.Warning) error {
	for _, warning := range warnings {
		if _, err := fmt.Fprintf(w, "  ! %s\n", cliTerms(warning.Message)); err != nil {
			return err
		}
	}
	return nil
}

func onOff(b bool, on, off string) string {
	if b {
		return on
	}
	return off
}

// planText is p for people, in the CLI's terms.
func planText(p *ipamorg.Plan) string { return cliTerms(p.String()) }
