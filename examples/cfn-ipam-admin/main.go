// Command cfn-ipam-admin is an AWS Lambda function that serves the
// CloudFormation custom resource Custom::IpamOrganizationAdmin: it makes an
// account IPAM's delegated administrator for the organization, replaces it
// safely when the template says so, and tears the integration down in AWS's
// order when the resource is deleted. See Handler.Handle, template.yaml and
// the "CloudFormation" section of README.md.
//
// The function runs in the organization's management account, with a role
// that has the permissions 'ipamorgctl policy' prints.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ipamorg/sdk/ipamorg"
)

func main() {
	h := &Handler{NewClient: func(ctx context.Context, opts ...func(*ipamorg.Options)) (*ipamorg.Client, error) {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		return ipamorg.NewFromConfig(cfg, opts...)
	}}
	lambda.Start(h.Handle)
}
