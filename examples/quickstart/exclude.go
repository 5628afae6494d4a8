package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// ouEntityPath returns the Organizations entity path of the OU named name
// under the root, read with the management account's configuration mgmt
// as a user would: the organization's id, the root's and the OU's, each
// followed by "/" ("o-…/r-…/ou-…/").
func ouEntityPath(ctx context.Context, mgmt aws.Config, name string) (string, error) {
	org := organizations.NewFromConfig(mgmt)
	o, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return "", fmt.Errorf("describe the organization: %w", err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return "", fmt.Errorf("list the roots: %w", err)
	}
	for _, r := range roots.Roots {
		p := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: r.Id})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("list the OUs: %w", err)
			}
			for _, ou := range page.OrganizationalUnits {
				if aws.ToString(ou.Name) == name {
					return aws.ToString(o.Organization.Id) + "/" + aws.ToString(r.Id) + "/" + aws.ToString(ou.Id) + "/", nil
				}
			}
		}
	}
	return "", fmt.Errorf("no OU %q under the root", name)
}

// excludeOU adds the OU exclusion path to the resource discovery id
// (ec2:ModifyIpamResourceDiscovery), with the administrator's EC2 client.
func excludeOU(ctx context.Context, client *ec2.Client, id, path string) error {
	_, err := client.ModifyIpamResourceDiscovery(ctx, &ec2.ModifyIpamResourceDiscoveryInput{
		IpamResourceDiscoveryId: aws.String(id),
		AddOrganizationalUnitExclusions: []ec2types.AddIpamOrganizationalUnitExclusion{
			{OrganizationsEntityPath: aws.String(path)},
		},
	})
	if err != nil {
		return fmt.Errorf("exclude %s: %w", path, err)
	}
	return nil
}
