package awstest

import (
	"net/http"
	"strings"
)

type jsonRoot struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []struct{}
}

type jsonOU struct {
	Id   string
	Arn  string
	Name string
	Path string
}

type jsonParent struct {
	Id   string
	Type string
}

func (e *Emulator) jsonOU(u *ou) jsonOU {
	return jsonOU{Id: u.id, Arn: e.m.org.ouARN(u), Name: u.name, Path: u.path}
}

// isLowerAlnum reports s made of [0-9a-z] with a length in [lo, hi].
func isLowerAlnum(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// isOUID matches ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$.
func isOUID(s string) bool {
	rest, ok := strings.CutPrefix(s, "ou-")
	a, b, ok2 := strings.Cut(rest, "-")
	return ok && ok2 && isLowerAlnum(a, 4, 32) && isLowerAlnum(b, 8, 32)
}

// isRootID matches ^r-[0-9a-z]{4,32}$.
func isRootID(s string) bool {
	rest, ok := strings.CutPrefix(s, "r-")
	return ok && isLowerAlnum(rest, 4, 32)
}

// requiredID returns the value of a required id member, checked with valid
// (the member's pattern in the model).
func requiredID(name string, v *string, valid func(string) bool) (string, *apiError) {
	switch {
	case v == nil || *v == "":
		return "", orgInvalidInput("INPUT_REQUIRED", "%s is required.", name)
	case len(*v) > 100 || !valid(*v):
		return "", orgInvalidInput("INVALID_PATTERN", "The %s you specified doesn't match the required pattern.", name)
	}
	return *v, nil
}

func (e *Emulator) requiredParent(in orgInput) (*ou, *apiError) {
	id, ae := requiredID("ParentId", in.ParentId, func(s string) bool { return isRootID(s) || isOUID(s) })
	if ae != nil {
		return nil, ae
	}
	u := e.m.org.parentOf(id)
	if u == nil {
		return nil, errf(http.StatusBadRequest, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return u, nil
}

func (e *Emulator) listRoots(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	start, end, next, ae := paginate(c.op.name, c.in, 1)
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonRoot, 0, 1)
	if start < end {
		r := e.m.org.root
		out = append(out, jsonRoot{Id: r.id, Arn: e.m.org.ouARN(r), Name: r.name, PolicyTypes: []struct{}{}})
	}
	return struct {
		Roots     []jsonRoot
		NextToken *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) listOUsForParent(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	parent, ae := e.requiredParent(c.in)
	if ae != nil {
		return nil, ae
	}
	start, end, next, ae := paginate(c.op.name+"/"+parent.id, c.in, len(parent.children))
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonOU, 0, end-start)
	for _, u := range parent.children[start:end] {
		out = append(out, e.jsonOU(u))
	}
	return struct {
		OrganizationalUnits []jsonOU
		NextToken           *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) listAccountsForParent(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	parent, ae := e.requiredParent(c.in)
	if ae != nil {
		return nil, ae
	}
	start, end, next, ae := paginate(c.op.name+"/"+parent.id, c.in, len(parent.accounts))
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonAccount, 0, end-start)
	for _, a := range parent.accounts[start:end] {
		out = append(out, e.jsonAccount(a))
	}
	return struct {
		Accounts  []jsonAccount
		NextToken *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) listParents(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	id, ae := requiredID("ChildId", c.in.ChildId, func(s string) bool { return isAccountID(s) || isOUID(s) })
	if ae != nil {
		return nil, ae
	}
	var parent *ou
	if a := e.m.org.byID[id]; a != nil {
		parent = a.parent
	} else if u := e.m.org.ous[id]; u != nil {
		parent = u.parent
	} else {
		return nil, errf(http.StatusBadRequest, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	start, end, next, ae := paginate(c.op.name+"/"+id, c.in, 1)
	if ae != nil {
		return nil, ae
	}
	out := make([]jsonParent, 0, 1)
	if start < end {
		typ := "ORGANIZATIONAL_UNIT"
		if parent.isRoot() {
			typ = "ROOT"
		}
		out = append(out, jsonParent{Id: parent.id, Type: typ})
	}
	return struct {
		Parents   []jsonParent
		NextToken *string `json:",omitempty"`
	}{out, next}, nil
}

func (e *Emulator) describeOU(c *call) (any, *apiError) {
	if ae := e.orgReader(c); ae != nil {
		return nil, ae
	}
	id, ae := requiredID("OrganizationalUnitId", c.in.OrganizationalUnitId, isOUID)
	if ae != nil {
		return nil, ae
	}
	u := e.m.org.ous[id]
	if u == nil {
		return nil, errf(http.StatusBadRequest, "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return map[string]any{"OrganizationalUnit": e.jsonOU(u)}, nil
}
