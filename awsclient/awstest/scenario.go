package awstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Scenario is an emulator's starting point as a JSON document (a scenario
// file): the organization, its integration state and the IPAMs that exist.
// `ipamorgctl serve --org FILE` reads one; docs/emulator.md#scenario-files
// describes the format field by field and examples/emulator/organization.json
// is a sample. The organization's fields (Organization, with its JSON
// names) are at the top level:
//
//	{
//	  "managementAccount": {"id": "111111111111", "name": "management"},
//	  "ous": ["Workloads/Prod", "Workloads/Dev", "Sandbox"],
//	  "members": [
//	    {"id": "222222222222", "name": "network", "ou": "Infrastructure"},
//	    {"id": "333333333333", "ou": "Workloads/Prod"},
//	    {"id": "444444444444", "joinedMethod": "INVITED", "ou": "Sandbox"},
//	    {"id": "555555555555", "status": "SUSPENDED"}
//	  ],
//	  "ipamDelegatedAdmin": "222222222222",
//	  "ipams": [{"owner": "222222222222", "operatingRegions": ["us-east-1", "eu-west-1"]}]
//	}
type Scenario struct {
	// Description says what the scenario is for; the emulator ignores it.
	Description string `json:"description,omitempty"`
	Organization
	// NoOrganization starts with no organization at all (every account
	// standalone); the organization's fields must then be empty.
	NoOrganization bool `json:"noOrganization,omitempty"`
	// IPAMs exist from the start (see IPAMSpec).
	IPAMs []IPAMSpec `json:"ipams,omitempty"`
	// ServicePrincipals adds service principals to those Organizations
	// knows (see ServerOptions.ServicePrincipals).
	ServicePrincipals []string `json:"servicePrincipals,omitempty"`
}

// maxScenarioBytes bounds a scenario file: 100,000 accounts fit in it.
const maxScenarioBytes = 64 << 20

// LoadScenario reads and validates the scenario file at path. Errors name
// the file, and the field or the line and column, and say what is wrong
// (a *SpecError, or the file's read error).
func LoadScenario(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeScenario(path, f)
}

// DecodeScenario reads and validates a scenario from r; name is the file
// name its errors give. Unknown fields are errors, so that a misspelt one
// is not silently ignored.
func DecodeScenario(name string, r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxScenarioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxScenarioBytes {
		return nil, &SpecError{File: name, Reason: fmt.Sprintf("larger than %d MiB", maxScenarioBytes>>20)}
	}
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, scenarioSyntaxError(name, data, dec.InputOffset(), err)
	}
	if dec.More() {
		return nil, scenarioSyntaxError(name, data, dec.InputOffset(), errors.New("data after the scenario's JSON object"))
	}
	if err := s.check(); err != nil {
		var se *SpecError
		if errors.As(err, &se) {
			se.File = name
		}
		return nil, err
	}
	return &s, nil
}

// check validates the scenario as New would.
func (s *Scenario) check() error {
	if s.NoOrganization {
		if s.ManagementAccount.ID != "" || len(s.Members) > 0 || len(s.OUs) > 0 || s.IPAMDelegatedAdmin != "" ||
			len(s.TrustedServices) > 0 || len(s.DelegatedAdmins) > 0 {
			return specErr("noOrganization", "an organization is described too")
		}
	} else if s.ManagementAccount.ID == "" {
		return specErr("managementAccount.id", "required (or noOrganization: true)")
	}
	var o ServerOptions
	WithScenario(*s)(&o)
	return checkStart(&o, principalSet(s.ServicePrincipals))
}

// scenarioSyntaxError turns a decoding error into a *SpecError located in
// the file.
func scenarioSyntaxError(name string, data []byte, offset int64, err error) error {
	se := &SpecError{File: name, Reason: strings.TrimPrefix(err.Error(), "json: ")}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset - 1 // the offending character, not the one after
	case errors.As(err, &typ):
		offset = typ.Offset
		se.Field = strings.TrimPrefix(typ.Field, "Organization.")
		se.Reason = fmt.Sprintf("a JSON %s where %s is expected", typ.Value, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(se.Reason, "unknown field "):
		// encoding/json does not say where: the field's first occurrence
		// as a key is the best guess.
		name, _ := strconv.Unquote(strings.TrimPrefix(se.Reason, "unknown field "))
		if i := keyOffset(data, name); i >= 0 {
			offset = int64(i)
		}
	case errors.Is(err, io.EOF):
		se.Reason = "empty file: want a JSON object"
		return se
	case errors.Is(err, io.ErrUnexpectedEOF):
		se.Reason = "unexpected end of the file"
		offset = int64(len(data))
	}
	se.Line, se.Column = lineColumn(data, offset)
	return se
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// keyOffset returns the offset of the first "name": in data, or -1.
func keyOffset(data []byte, name string) int {
	key := []byte(strconv.Quote(name))
	for from := 0; ; {
		i := bytes.Index(data[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		rest := bytes.TrimLeft(data[i+len(key):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return i
		}
		from = i + len(key)
	}
}

// lineColumn converts a byte offset of data to a 1-based line and column.
func lineColumn(data []byte, offset int64) (int, int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
