package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// What the delegated administrator does in its own account, as a user
// would with the AWS SDK: the library never creates or deletes an IPAM.

// adminEC2 returns an EC2 client acting in admin's account, through
// OrganizationAccountAccessRole assumed from the management account's
// configuration mgmt.
func adminEC2(ctx context.Context, mgmt aws.Config, admin string) (*ec2.Client, error) {
	out, err := sts.NewFromConfig(mgmt).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + admin + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("quickstart-ipam-admin"),
	})
	if err != nil {
		return nil, fmt.Errorf("assume OrganizationAccountAccessRole in %s: %w", admin, err)
	}
	c := out.Credentials
	cfg := mgmt.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	return ec2.NewFromConfig(cfg), nil
}

// createIPAM creates an IPAM in the client's Region, operating in regions.
func createIPAM(ctx context.Context, client *ec2.Client, regions ...string) (*ec2types.Ipam, error) {
	in := &ec2.CreateIpamInput{Description: aws.String("quickstart")}
	for _, r := range regions {
		in.OperatingRegions = append(in.OperatingRegions, ec2types.AddIpamOperatingRegion{RegionName: aws.String(r)})
	}
	out, err := client.CreateIpam(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("create the ipam: %w", err)
	}
	return out.Ipam, nil
}

// deleteIPAM deletes the IPAM (with its pools and scopes: Cascade) and
// waits, polling ec2:DescribeIpams as a script would, until it is gone.
func deleteIPAM(ctx context.Context, client *ec2.Client, id string, poll time.Duration) error {
	if _, err := client.DeleteIpam(ctx, &ec2.DeleteIpamInput{IpamId: aws.String(id), Cascade: aws.Bool(true)}); err != nil {
		return fmt.Errorf("delete the ipam: %w", err)
	}
	for {
		out, err := client.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
		if err != nil {
			return fmt.Errorf("describe the ipams: %w", err)
		}
		if len(out.Ipams) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
