package awstest

import "slices"

// enabledRegions are the commercial Regions enabled by default in every
// account (opt-in-not-required). EC2 answers in these; DescribeRegions
// lists them.
var enabledRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
	"eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// optInRegions are Regions an account must opt in to; in the emulator no
// account has, so they are listed only with AllRegions (not-opted-in) and
// EC2 refuses requests signed for them, as AWS does for a disabled Region.
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3",
	"ap-southeast-4", "ca-west-1", "eu-central-2", "eu-south-1",
	"eu-south-2", "il-central-1", "me-central-1", "me-south-1",
}

// Regions returns the Regions enabled in every emulated account, sorted:
// those DescribeRegions lists and EC2 answers in.
func Regions() []string { return slices.Clone(enabledRegions) }

func isEnabledRegion(r string) bool {
	_, ok := slices.BinarySearch(enabledRegions, r)
	return ok
}

func isOptInRegion(r string) bool {
	_, ok := slices.BinarySearch(optInRegions, r)
	return ok
}
