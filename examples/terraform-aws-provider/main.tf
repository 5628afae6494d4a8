# IPAM integrated with the organization using only Terraform's AWS provider,
# against `ipamorgctl serve` (run.sh runs it; README.md#terraform explains).
# The management account delegates IPAM to the network account, which
# creates the organization-wide IPAM and a resource discovery that leaves
# OUs out of monitoring.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "endpoint" {
  description = "The emulator's endpoint, as `ipamorgctl serve` prints it."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "excluded_ous" {
  description = "Names of the root's OUs that the resource discovery leaves out."
  type        = list(string)
  default     = ["Sandbox"]
}

locals {
  # The emulator's caller is the access key's account; the secret is not
  # checked. The skip_* settings keep the provider from the endpoints that
  # the emulator does not serve (EC2 instance metadata, the account lookup).
  management = "111111111111"
  network    = "222222222222"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = local.management
  secret_key                  = "x"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2           = var.endpoint
    iam           = var.endpoint
    organizations = var.endpoint
    sts           = var.endpoint
  }
}

provider "aws" {
  alias                       = "network" # the delegated administrator
  region                      = "us-east-1"
  access_key                  = local.network
  secret_key                  = "x"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2           = var.endpoint
    iam           = var.endpoint
    organizations = var.endpoint
    sts           = var.endpoint
  }
}

data "aws_organizations_organization" "this" {}

data "aws_organizations_organizational_units" "root" {
  parent_id = data.aws_organizations_organization.this.roots[0].id
}

resource "aws_vpc_ipam_organization_admin_account" "this" {
  delegated_admin_account_id = local.network
}

resource "aws_vpc_ipam" "org" {
  provider = aws.network
  operating_regions {
    region_name = "us-east-1"
  }
  cascade = true
  # Created by the administrator after the delegation: organization-wide.
  depends_on = [aws_vpc_ipam_organization_admin_account.this]
}

data "aws_vpc_ipam" "org" {
  provider = aws.network
  id       = aws_vpc_ipam.org.id
}

resource "aws_vpc_ipam_resource_discovery" "org" {
  provider    = aws.network
  description = "organization without excluded OUs"
  operating_regions {
    region_name = "us-east-1"
  }
  dynamic "organizational_unit_exclusion" {
    for_each = [for ou in data.aws_organizations_organizational_units.root.children : ou if contains(var.excluded_ous, ou.name)]
    content {
      # o-…/r-…/ou-…/: the OU and every OU below it.
      organizations_entity_path = "${data.aws_organizations_organization.this.id}/${data.aws_organizations_organization.this.roots[0].id}/${organizational_unit_exclusion.value.id}/"
    }
  }
  depends_on = [aws_vpc_ipam_organization_admin_account.this]
}

resource "aws_vpc_ipam_resource_discovery_association" "org" {
  provider                   = aws.network
  ipam_id                    = aws_vpc_ipam.org.id
  ipam_resource_discovery_id = aws_vpc_ipam_resource_discovery.org.id
}

output "ipam_id" {
  value = data.aws_vpc_ipam.org.id
}

output "ipam_scope_count" {
  value = data.aws_vpc_ipam.org.scope_count
}

output "excluded_paths" {
  value = sort([for e in aws_vpc_ipam_resource_discovery.org.organizational_unit_exclusion : e.organizations_entity_path])
}
