package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ipamorg/sdk/awsclient/awstest"
	"github.com/ipamorg/sdk/ipamorg"
)

const integrationAddr = "ipamorg_organization_integration.this"

// TestAccIntegration_lifecycle creates the integration, plans again with
// nothing to do, imports it, is refused a change of administrator without
// allow_replacement at plan time (nothing written), replaces it with, and
// destroys it as the default teardown does: the administrator only.
func TestAccIntegration_lifecycle(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	org := e.Snapshot().OrganizationID
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy: func(*terraform.State) error {
			s := e.Snapshot()
			if len(e.admins()) != 0 || s.TrustedServices["ipam.amazonaws.com"].IsZero() || !s.HasRole(mgmt, awstest.IPAMRoleName) {
				return fmt.Errorf("after the default teardown: admins %v, trusted %v, roles %v; want no admin, trusted access and the role left", e.admins(), s.TrustedServices, s.Roles[mgmt])
			}
			return nil
		},
		Steps: []acc.TestStep{
			{
				Config: e.integration(admin, ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("organization_id"), knownvalue.StringExact(org)),
				}},
				Check: acc.ComposeAggregateTestCheckFunc(
					acc.TestCheckResourceAttr(integrationAddr, "id", org),
					acc.TestCheckResourceAttr(integrationAddr, "state", "delegated"),
					acc.TestCheckResourceAttr(integrationAddr, "trusted_access", "true"),
					acc.TestCheckResourceAttr(integrationAddr, "service_linked_role", "true"),
					acc.TestCheckResourceAttr(integrationAddr, "teardown", "remove-admin"),
					acc.TestCheckResourceAttr(integrationAddr, "warnings.#", "0"),
					func(*terraform.State) error {
						if got := e.admins(); !slices.Equal(got, []string{admin}) {
							return fmt.Errorf("admins %v, want [%s]", got, admin)
						}
						return e.wantWrites("ec2:EnableIpamOrganizationAdminAccount")
					},
				),
			},
			{
				// No perpetual diff: the same configuration plans nothing.
				Config: e.integration(admin, ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				ResourceName:      integrationAddr,
				ImportState:       true,
				ImportStateId:     org,
				ImportStateVerify: true,
			},
			{
				PreConfig:   e.ResetRequests,
				Config:      e.integration(admin2, ""),
				ExpectError: wrapped(`another delegated administrator.*allow_replacement = true`),
			},
			{
				PreConfig: func() {
					if err := e.wantWrites(); err != nil {
						t.Errorf("the refused replacement: %v", err)
					}
				},
				Config: e.integration(admin2, "allow_replacement = true"),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionUpdate),
				}},
				Check: acc.ComposeAggregateTestCheckFunc(
					acc.TestCheckResourceAttr(integrationAddr, "delegated_admin_account_id", admin2),
					func(*terraform.State) error {
						if got := e.admins(); !slices.Equal(got, []string{admin2}) {
							return fmt.Errorf("admins %v, want [%s]", got, admin2)
						}
						return e.wantWrites("ec2:DisableIpamOrganizationAdminAccount", "ec2:EnableIpamOrganizationAdminAccount")
					},
				),
			},
		},
	})
}

// TestAccIntegration_createRefusesExisting: an organization that already
// has an administrator is not taken over by a create, which says to
// import it, at plan time and with nothing written; an import by another
// organization's id is refused; the import by its own adopts it.
func TestAccIntegration_createRefusesExisting(t *testing.T) {
	acceptance(t)
	o := awstest.DefaultOrganization()
	o.IPAMDelegatedAdmin = admin
	e := startEmulator(t, nil, awstest.WithOrganization(o))
	org := e.Snapshot().OrganizationID
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{
				Config:      e.integration(admin, ""),
				ExpectError: wrapped(`already integrated with organization ` + org + `.*terraform import`),
			},
			{
				Config:        e.integration(admin, ""),
				ResourceName:  integrationAddr,
				ImportState:   true,
				ImportStateId: "o-0000000000",
				ExpectError:   wrapped(`the integration of organization o-0000000000, but the provider's credentials act in organization ` + org),
			},
			{
				PreConfig: func() {
					if err := e.wantWrites(); err != nil {
						t.Errorf("the refused create: %v", err)
					}
				},
				Config:             e.integration(admin, ""),
				ResourceName:       integrationAddr,
				ImportState:        true,
				ImportStateId:      org,
				ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["delegated_admin_account_id"] != admin || s[0].Attributes["state"] != "delegated" {
						return fmt.Errorf("imported %v", s)
					}
					return nil
				},
			},
			{
				Config: e.integration(admin, ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// TestAccIntegration_wrongPathRepair: a delegation made through AWS
// Organizations (no AWSServiceRoleForIPAM) shows, once imported, as a
// planned in-place repair, and applying it writes exactly the one repair
// call.
func TestAccIntegration_wrongPathRepair(t *testing.T) {
	acceptance(t)
	o := awstest.DefaultOrganization()
	o.TrustedServices = []string{"ipam.amazonaws.com"}
	o.DelegatedAdmins = map[string][]string{"ipam.amazonaws.com": {admin}}
	e := startEmulator(t, nil, awstest.WithOrganization(o))
	org := e.Snapshot().OrganizationID
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{
				Config:             e.integration(admin, ""),
				ResourceName:       integrationAddr,
				ImportState:        true,
				ImportStateId:      org,
				ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["service_linked_role"] != "false" || s[0].Attributes["warnings.#"] == "0" {
						return fmt.Errorf("imported %v, want no service-linked role and a warning", s[0].Attributes)
					}
					return nil
				},
			},
			{
				PreConfig: e.ResetRequests,
				Config:    e.integration(admin, ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("service_linked_role"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(integrationAddr, tfjsonpath.New("delegated_admin_account_id"), knownvalue.StringExact(admin)),
				}},
				Check: acc.ComposeAggregateTestCheckFunc(
					acc.TestCheckResourceAttr(integrationAddr, "service_linked_role", "true"),
					acc.TestCheckResourceAttr(integrationAddr, "warnings.#", "0"),
					func(*terraform.State) error {
						if !e.Snapshot().HasRole(mgmt, awstest.IPAMRoleName) {
							return fmt.Errorf("no %s in the management account after the repair", awstest.IPAMRoleName)
						}
						return e.wantWrites("ec2:EnableIpamOrganizationAdminAccount")
					},
				),
			},
		},
	})
}

// TestAccIntegration_fullTeardownGuardedByIPAMs: with teardown = "full",
// destroy is refused while the administrator owns an IPAM that the run
// does not delete, naming it and writing nothing (the plan warns; the
// apply refuses); once the IPAM is deleted, it tears down in AWS's order.
func TestAccIntegration_fullTeardownGuardedByIPAMs(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	var ipam string
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{
				Config: e.integration(admin, `teardown = "full"`),
				Check:  acc.TestCheckResourceAttr(integrationAddr, "teardown", "full"),
			},
			{
				PreConfig: func() {
					ipam = e.createIPAM(t, admin)
					e.ResetRequests()
				},
				Config:      e.providerBlock(),
				ExpectError: wrapped(`cannot remove IPAM's integration.*still owns ipams.*delete-ipam.*nothing was written.*allow_ipam_resources = true`),
			},
			{
				PreConfig: func() {
					if err := e.wantWrites(); err != nil {
						t.Errorf("the refused destroy: %v", err)
					}
					e.deleteIPAM(t, admin, ipam)
					e.ResetRequests()
				},
				Config: e.providerBlock(),
				Check: func(*terraform.State) error {
					s := e.Snapshot()
					if len(e.admins()) != 0 || !s.TrustedServices["ipam.amazonaws.com"].IsZero() || s.HasRole(mgmt, awstest.IPAMRoleName) {
						return fmt.Errorf("after the full teardown: admins %v, trusted %v, roles %v", e.admins(), s.TrustedServices, s.Roles[mgmt])
					}
					return e.wantWrites("ec2:DisableIpamOrganizationAdminAccount", "organizations:DisableAWSServiceAccess", "iam:DeleteServiceLinkedRole")
				},
			},
		},
	})
}

// TestAccIntegration_changeOutsideTerraform: an administrator removed
// outside Terraform is a diff, which apply puts back.
func TestAccIntegration_changeOutsideTerraform(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{Config: e.integration(admin, "")},
			{
				PreConfig: func() {
					c, err := ipamorg.NewFromConfig(e.Config(context.Background(), mgmt))
					if err == nil {
						_, err = c.RemoveDelegate(context.Background())
					}
					if err != nil {
						t.Fatalf("remove the administrator outside Terraform: %v", err)
					}
				},
				Config: e.integration(admin, ""),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(integrationAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if got := e.admins(); !slices.Equal(got, []string{admin}) {
						return fmt.Errorf("admins %v, want [%s] back", got, admin)
					}
					return nil
				},
			},
		},
	})
}

// TestAccIntegration_destroyWithItsIPAM: README.md's configuration, the
// integration and the administrator's IPAM depending on it, is destroyed
// in one run, although the plan saw the IPAM (a warning, not a refusal):
// the IPAM first, then the administrator, in AWS's order.
func TestAccIntegration_destroyWithItsIPAM(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, nil)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"ipamorg":  factories["ipamorg"],
			"ipamtest": providerserver.NewProtocol6WithError(&ipamTestProvider{emu: e.Emulator}),
		},
		Steps: []acc.TestStep{{
			Config: e.integration(admin, "") + fmt.Sprintf(`
resource "ipamtest_ipam" "org" {
  owner      = %q
  depends_on = [ipamorg_organization_integration.this]
}
`, admin),
			Check: func(*terraform.State) error {
				if n := len(e.Snapshot().IPAMs); n != 1 {
					return fmt.Errorf("%d ipams, want the configuration's", n)
				}
				e.ResetRequests()
				return nil
			},
		}},
		CheckDestroy: func(*terraform.State) error {
			if a := e.admins(); len(a) != 0 {
				return fmt.Errorf("administrators %v after destroy", a)
			}
			return e.wantWrites("ec2:DeleteIpam", "ec2:DisableIpamOrganizationAdminAccount")
		},
	})
}

// TestAccIntegration_createRacesItsAdministrator: the configured account
// becomes IPAM's administrator, by another hand, between the read Create
// acts on and its writes. The create refuses (the organization changed
// since it read it) rather than take the integration for its own.
func TestAccIntegration_createRacesItsAdministrator(t *testing.T) {
	acceptance(t)
	e := startEmulator(t, func(emu *awstest.Emulator, next http.Handler) http.Handler {
		var once sync.Once
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			// The third read of the administrators is Create's own, after
			// the test's plan and apply's; whatever the count, the create
			// must not succeed.
			if emu.CountCalls("ListDelegatedAdministrators") == 3 {
				once.Do(func() {
					emu.SetTrustedAccess(awstest.IPAMServicePrincipal, true)
					emu.SetDelegatedAdmins(awstest.IPAMServicePrincipal, admin)
				})
			}
		})
	})
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{{
			Config:      e.integration(admin, ""),
			ExpectError: wrapped(`already integrated|changed since`),
		}},
	})
}
