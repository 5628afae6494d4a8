package awstest

import (
	"slices"
	"testing"
)

// Every operation the emulator serves has its row in the table of
// authorizations, and the table has no other.
func TestAuthorizationsCoverOperations(t *testing.T) {
	var served []string
	for _, ops := range operations {
		for _, op := range ops {
			served = append(served, op.action())
			if _, ok := authorizations[op.action()]; !ok {
				t.Errorf("%s has no row in authorizations (iam_resources.go)", op.action())
			}
		}
	}
	for action := range authorizations {
		if !slices.Contains(served, action) {
			t.Errorf("authorizations has %s, which no operation serves", action)
		}
	}
}
