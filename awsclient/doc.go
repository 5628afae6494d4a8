// Package awsclient holds the narrow AWS client interfaces that the ipamorg
// package calls, and a Clients bundle built from an aws.Config.
//
// Each interface lists only the operations the library uses, with the exact
// method signatures of the AWS SDK for Go v2, so the SDK's own clients
// (*organizations.Client, *ec2.Client, *sts.Client, *iam.Client) satisfy
// them with no adapter, and gomock mocks (package mocks) or the local
// emulator (package awstest) can stand in for AWS in tests.
//
// Nothing here knows about the IPAM lifecycle: that is package fsm and
// package ipamorg.
package awsclient

//go:generate go tool mockgen -typed -destination=mocks/mocks.go -package=mocks github.com/ipamorg/sdk/awsclient OrganizationsAPI,EC2API,IPAMAPI,STSAPI,IAMAPI
