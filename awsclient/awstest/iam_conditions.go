package awstest

import (
	"encoding/json"
	"strings"
)

// condition is one condition operator applied to one key of a statement's
// Condition block: the request must satisfy every condition of a
// statement, and a condition is satisfied by any of its values.
type condition struct {
	op       string // the base operator, e.g. "StringLike"
	ifExists bool
	set      string // "", "ForAllValues" or "ForAnyValue"
	key      string // lower-cased: condition keys are case-insensitive
	values   []string
}

// conditionOperators are IAM's condition operators (IAM User Guide, "IAM
// JSON policy elements: Condition operators"), each with whether it is
// negated (true for a key the request lacks). IAM refuses any other.
var conditionOperators = map[string]bool{
	"StringEquals": false, "StringNotEquals": true,
	"StringEqualsIgnoreCase": false, "StringNotEqualsIgnoreCase": true,
	"StringLike": false, "StringNotLike": true,
	"NumericEquals": false, "NumericNotEquals": true,
	"NumericLessThan": false, "NumericLessThanEquals": false,
	"NumericGreaterThan": false, "NumericGreaterThanEquals": false,
	"DateEquals": false, "DateNotEquals": true,
	"DateLessThan": false, "DateLessThanEquals": false,
	"DateGreaterThan": false, "DateGreaterThanEquals": false,
	"Bool":         false,
	"BinaryEquals": false,
	"IpAddress":    false, "NotIpAddress": true,
	"ArnEquals": false, "ArnLike": false,
	"ArnNotEquals": true, "ArnNotLike": true,
	"Null": false,
}

// modeledKeys are the condition keys the emulator puts in a request's
// context: the global keys that every request carries and the service
// keys of the actions it serves (see authorizations). A condition on any
// other key never holds (docs/emulator.md#iam-enforcement).
var modeledKeys = map[string]bool{
	"aws:principalaccount":           true,
	"aws:principalarn":               true,
	"aws:requestedregion":            true,
	"organizations:serviceprincipal": true,
	"iam:awsservicename":             true,
	"ec2:region":                     true,
}

// parseConditions parses a statement's Condition block: operator →
// key → a value or a list of values (strings, booleans or numbers).
func parseConditions(raw json.RawMessage) ([]condition, *apiError) {
	var block map[string]json.RawMessage
	if firstByte(raw) != '{' || json.Unmarshal(raw, &block) != nil {
		return nil, malformedPolicy("Syntax errors in policy: Condition must be an object.")
	}
	var out []condition
	for _, name := range sortedKeys(block) {
		c := condition{op: name}
		if set, rest, ok := strings.Cut(name, ":"); ok {
			if set != "ForAllValues" && set != "ForAnyValue" {
				return nil, malformedPolicy("Invalid Condition type : %s.", truncate(name, 64))
			}
			c.set, c.op = set, rest
		}
		if base, ok := strings.CutSuffix(c.op, "IfExists"); ok && base != "Null" {
			c.op, c.ifExists = base, true
		}
		if _, ok := conditionOperators[c.op]; !ok {
			return nil, malformedPolicy("Invalid Condition type : %s.", truncate(name, 64))
		}
		var keys map[string]json.RawMessage
		if firstByte(block[name]) != '{' || json.Unmarshal(block[name], &keys) != nil || len(keys) == 0 {
			return nil, malformedPolicy("Syntax errors in policy: condition %s must map keys to values.", truncate(name, 64))
		}
		for _, k := range sortedKeys(keys) {
			values, ok := conditionValues(keys[k])
			if !ok || k == "" {
				return nil, malformedPolicy("Syntax errors in policy: the values of condition key %s must be strings, booleans or numbers.", truncate(k, 128))
			}
			kc := c
			kc.key, kc.values = strings.ToLower(k), values
			out = append(out, kc)
		}
	}
	return out, nil
}

// conditionValues decodes a condition's value or list of values. Booleans
// and numbers compare as their JSON text.
func conditionValues(r json.RawMessage) ([]string, bool) {
	var list []json.RawMessage
	if firstByte(r) == '[' {
		if json.Unmarshal(r, &list) != nil || len(list) == 0 {
			return nil, false
		}
	} else {
		list = []json.RawMessage{r}
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		var s string
		switch firstByte(v) {
		case '"':
			if json.Unmarshal(v, &s) != nil {
				return nil, false
			}
		case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			var x any
			if json.Unmarshal(v, &x) != nil {
				return nil, false
			}
			s = strings.TrimSpace(string(v))
		default:
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// holds evaluates the condition against the request's keys. A key the
// emulator does not model never holds, whatever the operator: a Deny
// conditioned on it does not apply and an Allow does not grant. For a
// modeled key the request lacks, IAM's rules apply: ForAnyValue does not
// hold; IfExists, ForAllValues and negated operators hold; Null holds for
// "true"; the others do not.
func (c *condition) holds(keys map[string]string) bool {
	if !modeledKeys[c.key] {
		return false
	}
	v, present := keys[c.key]
	if c.op == "Null" {
		return anyMatch(c.values, func(want string) bool { return strings.EqualFold(want, "true") != present })
	}
	switch {
	case !present && c.set == "ForAnyValue":
		return false
	case !present:
		return c.ifExists || c.set == "ForAllValues" || conditionOperators[c.op]
	}
	// Every modeled key has one value, so ForAllValues and ForAnyValue
	// reduce to the operator itself.
	switch c.op {
	case "StringEquals":
		return anyMatch(c.values, func(w string) bool { return w == v })
	case "StringNotEquals":
		return !anyMatch(c.values, func(w string) bool { return w == v })
	case "StringEqualsIgnoreCase":
		return anyMatch(c.values, func(w string) bool { return strings.EqualFold(w, v) })
	case "StringNotEqualsIgnoreCase":
		return !anyMatch(c.values, func(w string) bool { return strings.EqualFold(w, v) })
	case "StringLike":
		return anyMatch(c.values, func(w string) bool { return globMatch(w, v) })
	case "StringNotLike":
		return !anyMatch(c.values, func(w string) bool { return globMatch(w, v) })
	case "ArnEquals", "ArnLike":
		return anyMatch(c.values, func(w string) bool { return arnMatch(w, v) })
	case "ArnNotEquals", "ArnNotLike":
		return !anyMatch(c.values, func(w string) bool { return arnMatch(w, v) })
	case "Bool":
		return anyMatch(c.values, func(w string) bool { return strings.EqualFold(w, v) })
	}
	// Numeric, date, IP address and binary operators: no modeled key has
	// such a value, so they never hold (docs/emulator.md#iam-enforcement).
	return false
}
