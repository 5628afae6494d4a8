package awstest

import (
	"strconv"
	"strings"
)

// generatedFanout is how many child OUs each OU of a generated tree has
// at most.
const generatedFanout = 10

// GenerateOrganization returns an organization with the default management
// account (111111111111) and n active members with ids 200000000001,
// 200000000002, ..., named member-1, member-2, ..., every account under the
// root. It is cheap for n in the hundreds of thousands: the emulator stores
// nothing per account beyond the account itself until a write touches it.
func GenerateOrganization(n int) Organization {
	return GenerateOrganizationTree(n, 0)
}

// GenerateOrganizationTree is GenerateOrganization with the members spread
// over a tree of ous organizational units: OU i (1-based) is named "ou-i";
// OUs 1 to 10 are under the root, and the children of OU i are OUs 10i+1 to
// 10i+10, so 100 OUs are two levels deep and 1,000 three. Member j (1-based)
// is in OU ((j-1) mod ous)+1, so every OU, leaves and inner ones alike,
// holds about n/ous accounts; the management account stays under the root.
// ous <= 0 is GenerateOrganization(n). Paths are shared between accounts, so
// the tree costs nothing per account.
func GenerateOrganizationTree(n, ous int) Organization {
	org := DefaultOrganization()
	n = max(n, 0)
	paths := generatedOUPaths(ous)
	org.OUs = paths
	org.Members = make([]Account, n)
	var buf []byte
	for i := range n {
		num := strconv.Itoa(i + 1)
		buf = strconv.AppendInt(buf[:0], 200000000000+int64(i)+1, 10)
		a := Account{
			ID:     string(buf),
			Name:   "member-" + num,
			Email:  "member-" + num + "@example.com",
			Status: StatusActive,
		}
		if len(paths) > 0 {
			a.OU = paths[i%len(paths)]
		}
		org.Members[i] = a
	}
	return org
}

// generatedOUPaths returns the paths of OUs 1..n of a generated tree.
func generatedOUPaths(n int) []string {
	if n <= 0 {
		return nil
	}
	paths := make([]string, n)
	for i := 1; i <= n; i++ {
		name := "ou-" + strconv.Itoa(i)
		if parent := (i - 1) / generatedFanout; parent > 0 {
			paths[i-1] = paths[parent-1] + "/" + name
		} else {
			paths[i-1] = name
		}
	}
	return paths
}

// splitOUPath splits an OU path into its names; "" is the root.
func splitOUPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
