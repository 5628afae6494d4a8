package awstest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               isoTime
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
}

type roleResult struct {
	Role xmlRole
}

type deleteSLRResult struct {
	DeletionTaskId string
}

type deletionStatusResult struct {
	Status string
	Reason *deletionFailure `xml:",omitempty"`
}

type deletionFailure struct {
	Reason        string
	RoleUsageList []roleUsage `xml:"RoleUsageList>member"`
}

type roleUsage struct {
	Region    string
	Resources []string `xml:"Resources>member"`
}

// trustPolicy is the role's trust policy, URL-encoded as IAM returns it.
func (e *Emulator) trustPolicy(account string, r *role) string {
	principal := `{"Service":"` + r.service + `"}`
	if !r.serviceLinked() {
		trusted := account
		if e.isMember(account) {
			trusted = e.m.org.mgmt.id
		}
		principal = `{"AWS":"arn:aws:iam::` + trusted + `:root"}`
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func (e *Emulator) xmlRole(account string, r *role) xmlRole {
	return xmlRole{
		Path:                     r.path,
		RoleName:                 r.name,
		RoleId:                   roleID(account, r.name),
		Arn:                      r.arn(account),
		CreateDate:               isoTime(r.created),
		AssumeRolePolicyDocument: e.trustPolicy(account, r),
		Description:              r.description,
		MaxSessionDuration:       r.maxSession,
	}
}

func iamValidation(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "ValidationError", format, args...)
}

func iamInvalidInput(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "InvalidInput", format, args...)
}

func noSuchRole(name string) *apiError {
	return errf(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
}

// roleNameParam validates a RoleName parameter against IAM's model.
func roleNameParam(form url.Values) (string, *apiError) {
	name := form.Get("RoleName")
	if name == "" {
		return "", iamValidation("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
	}
	if len(name) > 64 || strings.IndexFunc(name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c))
	}) >= 0 {
		return "", iamValidation("1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	return name, nil
}

func (e *Emulator) getRole(c *call) (any, *apiError) {
	name, ae := roleNameParam(c.form)
	if ae != nil {
		return nil, ae
	}
	r, ok := e.roleAsOf(c.id.account, name, e.roleView(c.now, c.id.account))
	if !ok {
		return nil, noSuchRole(name)
	}
	return roleResult{e.xmlRole(c.id.account, r)}, nil
}

func (e *Emulator) createServiceLinkedRole(c *call) (any, *apiError) {
	svc := c.form.Get("AWSServiceName")
	switch {
	case svc == "":
		return nil, iamValidation("1 validation error detected: Value null at 'aWSServiceName' failed to satisfy constraint: Member must not be null")
	case svc != IPAMServicePrincipal:
		// Assumption (docs/emulator.md#iam-roles): the emulator knows only IPAM's
		// service-linked role; other services are refused as invalid input.
		return nil, iamInvalidInput("Service %s is not supported by this emulator.", truncate(svc, 128))
	case c.form.Get("CustomSuffix") != "":
		// Assumption (docs/emulator.md#iam-roles): IPAM's role takes no custom
		// suffix.
		return nil, iamInvalidInput("Custom suffix is not allowed for %s.", svc)
	}
	if _, exists := e.roleLatest(c.id.account, IPAMRoleName); exists {
		return nil, iamInvalidInput("Service role name %s has been taken in this account, please try a different suffix.", IPAMRoleName)
	}
	r := ipamRole(c.now)
	if d := c.form.Get("Description"); d != "" {
		r.description = d
	}
	e.putRole(c.now, c.id.account, r)
	return roleResult{e.xmlRole(c.id.account, r)}, nil
}

// ipamRoleInUse reports why account's AWSServiceRoleForIPAM cannot be
// deleted, with the resources that use it, or "".
func (e *Emulator) ipamRoleInUse(account string, now time.Time) (string, []roleUsage) {
	// IAM's documented rule: the role can be deleted only once every IPAM
	// resource in the account is deleted; the deletion task then fails
	// with the Regions and resources that still use it.
	if usage := e.ipamUsage(account, now); len(usage) > 0 {
		return "The service-linked role is in use by IPAM resources in this account. Delete them (ec2:DeleteIpam) and try again.", usage
	}
	// Assumption (docs/emulator.md#role-in-use): the role also counts as
	// in use for as long as the organization integrates IPAM (trusted
	// access on, or an admin registered): IPAM uses it in every account of
	// the organization then, which is why AWS's teardown deletes it last.
	if !e.inOrg(account) {
		return "", nil
	}
	if len(e.adminsLatest(IPAMServicePrincipal)) > 0 {
		return "The service-linked role is in use: the organization has an IPAM delegated administrator.", nil
	}
	if e.trustedOn(IPAMServicePrincipal) {
		return "The service-linked role is in use: trusted access for ipam.amazonaws.com is enabled in the organization.", nil
	}
	return "", nil
}

func (e *Emulator) deleteServiceLinkedRole(c *call) (any, *apiError) {
	name, ae := roleNameParam(c.form)
	if ae != nil {
		return nil, ae
	}
	// A deletion already under way answers with its task, as IAM does
	// while the earlier task is not complete, even though the role is
	// (in the latest state) already gone.
	for _, t := range e.m.tasks {
		if t.account == c.id.account && t.role == name && e.taskInProgress(t, c.now) {
			return deleteSLRResult{DeletionTaskId: t.id}, nil
		}
	}
	r, ok := e.roleLatest(c.id.account, name)
	if !ok {
		return nil, noSuchRole(name)
	}
	if !r.serviceLinked() {
		// Assumption (docs/emulator.md#iam-roles): deleting a role that is not
		// service-linked through this API is refused as invalid input.
		return nil, iamInvalidInput("Role %s is not a service-linked role.", name)
	}
	id := fmt.Sprintf("task%s%s/%08d-0000-4000-8000-%s", r.path, name, len(e.m.tasks)+1, c.id.account)
	task := &deletionTask{id: id, account: c.id.account, role: name, created: c.now}
	if r.service == IPAMServicePrincipal {
		task.failReason, task.usage = e.ipamRoleInUse(c.id.account, c.now)
	}
	if task.failReason == "" {
		e.deleteRole(c.now, c.id.account, name)
	}
	e.m.tasks[id] = task
	return deleteSLRResult{DeletionTaskId: id}, nil
}

// taskInProgress reports whether reads of the task's account still see
// it IN_PROGRESS at now.
func (e *Emulator) taskInProgress(t *deletionTask, now time.Time) bool {
	return t.created.After(e.roleView(now, t.account))
}

func (e *Emulator) getServiceLinkedRoleDeletionStatus(c *call) (any, *apiError) {
	id := c.form.Get("DeletionTaskId")
	switch {
	case id == "":
		return nil, iamValidation("1 validation error detected: Value null at 'deletionTaskId' failed to satisfy constraint: Member must not be null")
	case !strings.HasPrefix(id, "task/"):
		return nil, iamInvalidInput("Invalid deletion task id %s.", truncate(id, 128))
	}
	task := e.m.tasks[id]
	if task == nil || task.account != c.id.account {
		return nil, errf(http.StatusNotFound, "NoSuchEntity", "Deletion task %s cannot be found.", truncate(id, 128))
	}
	switch {
	case e.taskInProgress(task, c.now):
		return deletionStatusResult{Status: "IN_PROGRESS"}, nil
	case task.failReason != "":
		return deletionStatusResult{Status: "FAILED", Reason: &deletionFailure{
			Reason:        task.failReason,
			RoleUsageList: task.usage,
		}}, nil
	}
	return deletionStatusResult{Status: "SUCCEEDED"}, nil
}
