package awstest

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// rootName is the name Organizations gives the root.
const rootName = "Root"

// newOrg builds the organization of spec, which checkStart has validated.
func newOrg(spec Organization) *org {
	fs := spec.FeatureSet
	if fs == "" {
		fs = FeatureSetAll
	}
	sum := sha256.Sum256([]byte(spec.ManagementAccount.ID))
	h := hex.EncodeToString(sum[:])
	o := &org{
		id:         "o-" + h[:10],
		featureSet: fs,
		byID:       make(map[string]*account, len(spec.Members)+1),
		accounts:   make([]*account, 0, len(spec.Members)+1),
		ous:        map[string]*ou{},
	}
	// One allocation for every account: a generated organization has
	// hundreds of thousands.
	slab := make([]account, len(spec.Members)+1)
	rootID := "r-" + h[10:14]
	o.root = &ou{id: rootID, name: rootName, path: o.id + "/" + rootID + "/"}

	byPath := map[string]*ou{"": o.root}
	var ensure func(p string) *ou
	ensure = func(p string) *ou {
		if u := byPath[p]; u != nil {
			return u
		}
		parentPath, name := "", p
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			parentPath, name = p[:i], p[i+1:]
		}
		parent := ensure(parentPath)
		u := &ou{id: o.newOUID(rootID, p), name: name, parent: parent}
		u.path = parent.path + u.id + "/"
		parent.children = append(parent.children, u)
		o.ous[u.id] = u
		byPath[p] = u
		return u
	}
	for _, p := range spec.OUs {
		ensure(p)
	}

	add := func(a Account, mgmt bool) *account {
		acc := &slab[len(o.accounts)]
		*acc = account{id: a.ID, name: a.Name, email: a.Email, status: a.Status, parent: ensure(a.OU)}
		if acc.name == "" {
			acc.name = "account-" + a.ID
		}
		if acc.email == "" {
			acc.email = a.ID + "@example.com"
		}
		switch {
		case mgmt || acc.status == "" || acc.status == StatusActive:
			acc.status = StatusActive // no new string per account
		default:
			acc.status = StatusSuspended
		}
		acc.invited = !mgmt && a.JoinedMethod == JoinedInvited
		o.byID[a.ID] = acc
		o.accounts = append(o.accounts, acc)
		acc.parent.accounts = append(acc.parent.accounts, acc)
		return acc
	}
	o.mgmt = add(spec.ManagementAccount, true)
	for _, m := range spec.Members {
		add(m, false)
	}
	return o
}

// newOUID derives an OU id from the OU's path, as stable as the account
// ids: "ou-" + the root's suffix + "-" + 8 lower-case hex digits (more only
// to avoid a collision).
func (o *org) newOUID(rootID, path string) string {
	sum := sha256.Sum256([]byte(o.id + "/" + path))
	h := hex.EncodeToString(sum[:])
	prefix := "ou-" + strings.TrimPrefix(rootID, "r-") + "-"
	for n := 8; ; n++ {
		var id string
		if n <= len(h) {
			id = prefix + h[:n]
		} else {
			id = prefix + h + strconv.Itoa(n)
		}
		if o.ous[id] == nil {
			return id
		}
	}
}

// accountPath is the account's entry in Account.Paths.
func (a *account) path() string { return a.parent.path + a.id + "/" }

// parentOf returns the root or OU with id, or nil.
func (o *org) parentOf(id string) *ou {
	if id == o.root.id {
		return o.root
	}
	return o.ous[id]
}
