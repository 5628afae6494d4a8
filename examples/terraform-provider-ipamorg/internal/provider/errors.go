package provider

import (
	"errors"
	"strings"

	"github.com/ipamorg/sdk/ipamorg"
)

// fixedError is an error with the action that fixes it.
type fixedError struct {
	err error
	fix string
}

func (e *fixedError) Error() string { return e.err.Error() }
func (e *fixedError) Unwrap() error { return e.err }

func withFix(err error, fix string) error { return &fixedError{err: err, fix: fix} }

// detail is a diagnostic's detail for err: the library's message whole,
// the Go fields it names written as this provider's attributes, then,
// where there is one, what fixes it in this provider's terms.
func detail(err error) string {
	msg := message(err)
	if f := fix(err); f != "" {
		return msg + "\n\nFix: " + f
	}
	return msg
}

// message is err's message with the library's Go fields written as the
// attributes that set them.
func message(err error) string { return tfTerms.Replace(err.Error()) }

var tfTerms = strings.NewReplacer(
	"set AllowReplace", "set allow_replacement = true",
	"set AllowIPAMResources", "set allow_ipam_resources = true",
	"AllowIPAMResources", "allow_ipam_resources",
	"AllowReplace", "allow_replacement",
	"Options.AccessRole", "access_role",
	"AccessRole", "access_role",
)

// fix says what to change, in the configuration or in AWS, for the
// library's categories of error; "" when the message says it all or
// nothing can be said.
func fix(err error) string {
	var fe *fixedError
	var ire *ipamorg.IPAMResourcesError
	switch {
	case errors.As(err, &fe):
		return fe.fix
	case errors.As(err, &ire):
		return "AWS's teardown order deletes the administrator's IPAMs first: delete them as account " + ire.Admin +
			" with the commands above (or destroy its aws_vpc_ipam first), then run terraform again; or set allow_ipam_resources = true, apply, and destroy."
	case errors.Is(err, ipamorg.ErrDelegatedAdminConflict):
		return "Replacing IPAM's delegated administrator interrupts IPAM for the whole organization: set allow_replacement = true to do it."
	case errors.Is(err, ipamorg.ErrAdminUnreachable):
		f := "Let the provider's credentials assume access_role (OrganizationAccountAccessRole by default) in the delegated administrator's account, " +
			"or set access_role to a role they can assume there."
		if e := (*ipamorg.Error)(nil); errors.As(err, &e) && e.Op != "monitoring" && e.Op != "wait-monitored" {
			f += " To remove the administrator without reading its IPAMs, set allow_ipam_resources = true."
		}
		return f
	case errors.Is(err, ipamorg.ErrNotManagementAccount):
		return "Configure the provider with the organization's management account's credentials."
	case errors.Is(err, ipamorg.ErrAccessDenied):
		return "Grant the provider's credentials the permissions that `ipamorgctl policy` lists."
	case errors.Is(err, ipamorg.ErrStalePlan), errors.Is(err, ipamorg.ErrMovedElsewhere):
		return "Another writer changed the organization meanwhile: run terraform plan again."
	case errors.Is(err, ipamorg.ErrWaitTimeout):
		return "AWS had not shown the change within the wait; raise max_wait in the provider block, " +
			"then run terraform plan again: it starts from what AWS shows then."
	case errors.Is(err, ipamorg.ErrNoDelegatedAdmin):
		return "Delegate IPAM first: ipamorg_organization_integration, and depend on it."
	case errors.Is(err, ipamorg.ErrNoIPAM):
		return "Create an IPAM as the delegated administrator (aws_vpc_ipam with operating_regions), and depend on it."
	case errors.Is(err, ipamorg.ErrAccountNotInOrganization), errors.Is(err, ipamorg.ErrManagementAccountAsDelegate):
		return "Choose an ACTIVE member account of the organization, other than the management account, as delegated_admin_account_id."
	case errors.Is(err, ipamorg.ErrAnomaly):
		return "AWS shows what it should not (see the message); put the organization right in AWS Organizations, then plan again."
	}
	return ""
}
