// Command cfn-ipam-admin is an AWS Lambda function that serves the
// CloudFormation custom resource Custom::IpamOrganizationAdmin: it makes an
// account IPAM's delegated administrator for the organization, replaces it
// safely when the template says so, and tears the integration down in AWS's
// order when the resource, having created it, is deleted; an integration it
// found it adopts only when told to, and leaves in place. See
// Handler.Handle, template.yaml and the "CloudFormation" section of
// README.md.
//
// The function runs in the organization's management account, with a role
// that has the permissions 'ipamorgctl policy' prints.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	h := &Handler{Config: func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }}
	lambda.Start(h.Handle)
}
