package ipamorg

import "encoding/json"

// Unread returns the JSON names of the facts Observe could not read
// ("trusted_access", "delegated_admin", "service_linked_role"), in that
// order, or nil when it read them all. A member account cannot read the
// management account's role, and is usually denied the organization's
// lists; the Status's fields for those facts hold zero values, which are
// not what AWS holds, and a WarnPartialRead warning says why.
func (st *Status) Unread() []string {
	var names []string
	for _, f := range []struct {
		fact facts
		name string
	}{
		{factTrusted, "trusted_access"},
		{factAdmins, "delegated_admin"},
		{factRole, "service_linked_role"},
	} {
		if st.unread&f.fact != 0 {
			names = append(names, f.name)
		}
	}
	return names
}

// MarshalJSON encodes st with its JSON names, and null for each fact that
// Observe could not read (see Unread): a reader of the JSON then never
// takes an unread fact's zero value for what AWS holds. A Status read in
// full encodes exactly as its fields say. Decoding null leaves the field's
// zero value.
func (st Status) MarshalJSON() ([]byte, error) {
	type plain Status // the fields without this method
	if st.unread == 0 {
		return json.Marshal(plain(st))
	}
	read := func(f facts) bool { return st.unread&f == 0 }
	out := struct {
		plain
		TrustedAccess     *bool   `json:"trusted_access"`
		DelegatedAdmin    *string `json:"delegated_admin"`
		ServiceLinkedRole *bool   `json:"service_linked_role"`
	}{plain: plain(st)}
	if read(factTrusted) {
		out.TrustedAccess = &st.TrustedAccess
	}
	if read(factAdmins) {
		out.DelegatedAdmin = &st.DelegatedAdmin
	}
	if read(factRole) {
		out.ServiceLinkedRole = &st.ServiceLinkedRole
	}
	return json.Marshal(out)
}
