package awstest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ec2Base carries the request id every EC2 result has.
type ec2Base struct {
	RequestID string `xml:"requestId"`
}

func (r *ec2Base) setRequestID(id string) { r.RequestID = id }

// formIndexes returns the indexes N for which form has a key prefix.N or
// prefix.N.…, ascending: how the query protocols flatten lists.
func formIndexes(form url.Values, prefix string) []int {
	seen := map[int]bool{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 && strconv.Itoa(n) == num {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// formList returns the values of the list prefix.1, prefix.2, … in order.
func formList(form url.Values, prefix string) []string {
	var out []string
	for _, n := range formIndexes(form, prefix) {
		if v, ok := form[prefix+"."+strconv.Itoa(n)]; ok {
			out = append(out, v[0])
		}
	}
	return out
}

// ec2Filter is one Filter.N of a request.
type ec2Filter struct {
	name   string
	values []string
}

func (f ec2Filter) match(v string) bool { return slices.Contains(f.values, v) }

// ec2Filters parses Filter.N.Name and Filter.N.Value.M, refusing names the
// operation does not know (known) as EC2 refuses them.
func ec2Filters(form url.Values, known func(string) bool) ([]ec2Filter, *apiError) {
	var out []ec2Filter
	for _, n := range formIndexes(form, "Filter") {
		p := "Filter." + strconv.Itoa(n)
		f := ec2Filter{name: form.Get(p + ".Name"), values: formList(form, p+".Value")}
		if f.name == "" || !known(f.name) {
			return nil, ec2InvalidParameter("The filter '%s' is invalid", truncate(f.name, 64))
		}
		out = append(out, f)
	}
	return out, nil
}

// isTagFilter reports the tag filters every describe here takes: tag-key
// and tag:<key>.
func isTagFilter(name string) bool {
	return name == "tag-key" || strings.HasPrefix(name, "tag:") && len(name) > 4
}

// ec2Match applies EC2's filter semantics: every filter must match, each by
// any of its values. tag:<key> and tag-key read tags; fields answers the
// others.
func ec2Match(filters []ec2Filter, tags []tag, fields func(name string) []string) bool {
	for _, f := range filters {
		var have []string
		switch key, isTag := strings.CutPrefix(f.name, "tag:"); {
		case isTag:
			for _, t := range tags {
				if t.key == key {
					have = append(have, t.value)
				}
			}
		case f.name == "tag-key":
			for _, t := range tags {
				have = append(have, t.key)
			}
		default:
			have = fields(f.name)
		}
		if !slices.ContainsFunc(have, f.match) {
			return false
		}
	}
	return true
}

// formRegions parses the operating Regions prefix.N.RegionName of a request,
// each an enabled Region, without repeats.
func formRegions(c *call, prefix string) ([]string, *apiError) {
	var out []string
	for _, n := range formIndexes(c.form, prefix) {
		r := c.form.Get(prefix + "." + strconv.Itoa(n) + ".RegionName")
		switch {
		case !isEnabledRegion(r):
			return nil, ec2InvalidParameter("The operating Region '%s' is not a valid Region.", truncate(r, 32))
		case !slices.Contains(out, r):
			out = append(out, r)
		}
	}
	return out, nil
}

// ec2Bool parses an optional boolean parameter.
func ec2Bool(form url.Values, name string) (bool, *apiError) {
	switch v := form.Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, ec2InvalidParameter("Invalid value '%s' for %s. It must be true or false.", truncate(v, 32), name)
	}
}

// ec2MaxResults parses MaxResults within EC2's IPAM range 5 to 1000;
// absent, it is def (0: no paging).
func ec2MaxResults(form url.Values, def int) (int, *apiError) {
	v := form.Get("MaxResults")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 5 || n > 1000 {
		return 0, ec2InvalidParameter("Value ( %s ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", truncate(v, 32))
	}
	return n, nil
}

// ec2Page returns the bounds of the page of total items that NextToken and
// size (0: everything) ask for, and the next token. Tokens are bound to key
// (the operation and whatever it lists) so that one list's token is
// refused by another.
func ec2Page(form url.Values, key string, total, size int) (start, end int, next string, ae *apiError) {
	if t := form.Get("NextToken"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		rest, ok := strings.CutPrefix(string(raw), key+":")
		n, aerr := strconv.Atoi(rest)
		if err != nil || !ok || aerr != nil || n < 0 || n > total {
			return 0, 0, "", errf(http.StatusBadRequest, "InvalidPaginationToken", "The pagination token is not valid or has expired.")
		}
		start = n
	}
	end = total
	if size > 0 {
		end = min(start+size, total)
	}
	if end < total {
		next = ec2Token(key, end)
	}
	return start, end, next, nil
}

// ec2Token is the NextToken of position n in the list key.
func ec2Token(key string, n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + ":" + strconv.Itoa(n)))
}

func ec2NotFound(code, what, id string) *apiError {
	return errf(http.StatusBadRequest, code, "The %s ID '%s' does not exist", what, truncate(id, 64))
}

func ec2Missing(name string) *apiError {
	return errf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s.", name)
}

// xmlTagSet is a tagSet, present even when empty as EC2 sends it.
type xmlTagSet struct {
	Items []xmlTag `xml:"item"`
}

type xmlTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func tagSet(tags []tag) xmlTagSet {
	s := xmlTagSet{Items: make([]xmlTag, 0, len(tags))}
	for _, t := range tags {
		s.Items = append(s.Items, xmlTag{t.key, t.value})
	}
	return s
}

// isoMilli marshals as ISO 8601 with milliseconds, EC2's
// MillisecondDateTime.
type isoMilli time.Time

func (t isoMilli) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z")), nil
}
