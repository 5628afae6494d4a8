package awstest_test

import (
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ipamorg/sdk/awsclient/awstest"
)

func describeDiscoveries(t *testing.T, c clients, in *ec2.DescribeIpamResourceDiscoveriesInput) []ec2types.IpamResourceDiscovery {
	t.Helper()
	var out []ec2types.IpamResourceDiscovery
	p := ec2.NewDescribeIpamResourceDiscoveriesPaginator(c.ec2, in)
	for p.HasMorePages() {
		out = append(out, must[*ec2.DescribeIpamResourceDiscoveriesOutput](t)(p.NextPage(t.Context())).IpamResourceDiscoveries...)
	}
	return out
}

// discoveryOf describes one resource discovery by id; nil when EC2 says it
// does not exist.
func discoveryOf(t *testing.T, c clients, id string) *ec2types.IpamResourceDiscovery {
	t.Helper()
	out, err := c.ec2.DescribeIpamResourceDiscoveries(t.Context(), &ec2.DescribeIpamResourceDiscoveriesInput{IpamResourceDiscoveryIds: []string{id}})
	if apiCode(err) == "InvalidIpamResourceDiscoveryId.NotFound" {
		return nil
	}
	if err != nil || len(out.IpamResourceDiscoveries) != 1 {
		t.Fatalf("DescribeIpamResourceDiscoveries(%s) = %+v, %v", id, out, err)
	}
	return &out.IpamResourceDiscoveries[0]
}

func describeAssociations(t *testing.T, c clients, in *ec2.DescribeIpamResourceDiscoveryAssociationsInput) []ec2types.IpamResourceDiscoveryAssociation {
	t.Helper()
	var out []ec2types.IpamResourceDiscoveryAssociation
	p := ec2.NewDescribeIpamResourceDiscoveryAssociationsPaginator(c.ec2, in)
	for p.HasMorePages() {
		out = append(out, must[*ec2.DescribeIpamResourceDiscoveryAssociationsOutput](t)(p.NextPage(t.Context())).IpamResourceDiscoveryAssociations...)
	}
	return out
}

func createDiscovery(t *testing.T, c clients, regions ...string) *ec2types.IpamResourceDiscovery {
	t.Helper()
	in := &ec2.CreateIpamResourceDiscoveryInput{OperatingRegions: operatingRegions(regions)}
	return must[*ec2.CreateIpamResourceDiscoveryOutput](t)(c.ec2.CreateIpamResourceDiscovery(t.Context(), in)).IpamResourceDiscovery
}

func associate(t *testing.T, c clients, ipamID, discoID string) *ec2types.IpamResourceDiscoveryAssociation {
	t.Helper()
	return must[*ec2.AssociateIpamResourceDiscoveryOutput](t)(c.ec2.AssociateIpamResourceDiscovery(t.Context(), &ec2.AssociateIpamResourceDiscoveryInput{
		IpamId: aws.String(ipamID), IpamResourceDiscoveryId: aws.String(discoID),
	})).IpamResourceDiscoveryAssociation
}

func filter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String(name), Values: values}
}

func discoveryIDs(ds []ec2types.IpamResourceDiscovery) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, aws.ToString(d.IpamResourceDiscoveryId))
	}
	return ids
}

// An IPAM's default resource discovery and association appear in the
// describes as CreateIpam names them, and follow its lifecycle.
func TestDefaultResourceDiscoveryAndAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithIPAMDelay(10 * time.Second))
		c := memClients(t, emu, mgmt)
		ip := createIPAM(t, c, "us-east-1", "eu-west-1")
		if n := aws.ToInt32(ip.ResourceDiscoveryAssociationCount); n != 1 {
			t.Fatalf("CreateIpam: %d associations", n)
		}
		d := discoveryOf(t, c, *ip.DefaultResourceDiscoveryId)
		if !aws.ToBool(d.IsDefault) || d.State != ec2types.IpamResourceDiscoveryStateCreateInProgress || aws.ToString(d.OwnerId) != mgmt ||
			aws.ToString(d.IpamResourceDiscoveryRegion) != "us-east-1" || len(d.OperatingRegions) != 2 || d.OrganizationalUnitExclusions == nil ||
			len(d.OrganizationalUnitExclusions) != 0 || aws.ToString(d.IpamResourceDiscoveryArn) != "arn:aws:ec2::"+mgmt+":ipam-resource-discovery/"+*ip.DefaultResourceDiscoveryId {
			t.Fatalf("default resource discovery while creating = %+v", d)
		}
		as := describeAssociations(t, c, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{})
		if len(as) != 1 || aws.ToString(as[0].IpamResourceDiscoveryAssociationId) != *ip.DefaultResourceDiscoveryAssociationId ||
			aws.ToString(as[0].IpamResourceDiscoveryId) != *ip.DefaultResourceDiscoveryId || aws.ToString(as[0].IpamId) != *ip.IpamId ||
			aws.ToString(as[0].IpamArn) != *ip.IpamArn || aws.ToString(as[0].IpamRegion) != "us-east-1" || !aws.ToBool(as[0].IsDefault) ||
			as[0].State != ec2types.IpamResourceDiscoveryAssociationStateAssociateInProgress ||
			as[0].ResourceDiscoveryStatus != ec2types.IpamAssociatedResourceDiscoveryStatusActive {
			t.Fatalf("default association while creating = %+v", as)
		}
		time.Sleep(10 * time.Second)
		if d := discoveryOf(t, c, *ip.DefaultResourceDiscoveryId); d.State != ec2types.IpamResourceDiscoveryStateCreateComplete {
			t.Fatalf("after the delay: %s", d.State)
		}
		if as := describeAssociations(t, c, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{}); as[0].State != ec2types.IpamResourceDiscoveryAssociationStateAssociateComplete {
			t.Fatalf("after the delay: %s", as[0].State)
		}
		// Neither goes but with the IPAM.
		_, err := c.ec2.DeleteIpamResourceDiscovery(t.Context(), &ec2.DeleteIpamResourceDiscoveryInput{IpamResourceDiscoveryId: ip.DefaultResourceDiscoveryId})
		wantCode(t, err, "InvalidParameterValue")
		_, err = c.ec2.DisassociateIpamResourceDiscovery(t.Context(), &ec2.DisassociateIpamResourceDiscoveryInput{IpamResourceDiscoveryAssociationId: ip.DefaultResourceDiscoveryAssociationId})
		wantCode(t, err, "InvalidParameterValue")
		// Its operating Regions are the IPAM's.
		_, err = c.ec2.ModifyIpamResourceDiscovery(t.Context(), &ec2.ModifyIpamResourceDiscoveryInput{
			IpamResourceDiscoveryId: ip.DefaultResourceDiscoveryId, AddOperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-west-2")}},
		})
		wantCode(t, err, "InvalidParameterValue")

		deleteIPAM(t, c, *ip.IpamId)
		if d := discoveryOf(t, c, *ip.DefaultResourceDiscoveryId); d.State != ec2types.IpamResourceDiscoveryStateDeleteInProgress {
			t.Fatalf("deleting: %s", d.State)
		}
		if as := describeAssociations(t, c, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{}); as[0].State != ec2types.IpamResourceDiscoveryAssociationStateDisassociateInProgress {
			t.Fatalf("deleting: %s", as[0].State)
		}
		time.Sleep(10 * time.Second)
		if d := discoveryOf(t, c, *ip.DefaultResourceDiscoveryId); d != nil {
			t.Fatalf("after the deletion: %+v", d)
		}
		_, err = c.ec2.DescribeIpamResourceDiscoveryAssociations(t.Context(), &ec2.DescribeIpamResourceDiscoveryAssociationsInput{
			IpamResourceDiscoveryAssociationIds: []string{*ip.DefaultResourceDiscoveryAssociationId},
		})
		wantCode(t, err, "InvalidIpamResourceDiscoveryAssociationId.NotFound")
		if st := emu.Snapshot(); len(st.ResourceDiscoveries) != 0 || len(st.ResourceDiscoveryAssociations) != 0 {
			t.Fatalf("state after the deletion = %+v", st)
		}
	})
}

// What Terraform's aws_vpc_ipam_resource_discovery and
// aws_vpc_ipam_resource_discovery_association do: create, wait for
// create-complete, modify, wait for modify-complete, associate, wait for
// associate-complete, then tear down in the reverse order.
func TestResourceDiscoveryLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := awstest.New(awstest.WithIPAMDelay(10*time.Second), awstest.WithDiscoveryLag(time.Minute))
		must[any](t)(enableIPAM(t.Context(), memClients(t, emu, mgmt), member1))
		admin := memClients(t, emu, member1)
		ctx := t.Context()
		ip := createIPAM(t, admin)
		in := &ec2.CreateIpamResourceDiscoveryInput{
			ClientToken:      aws.String("token-1"),
			Description:      aws.String("sandbox excluded"),
			OperatingRegions: []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("us-east-1")}, {RegionName: aws.String("eu-west-1")}},
			TagSpecifications: []ec2types.TagSpecification{{
				ResourceType: ec2types.ResourceTypeIpamResourceDiscovery,
				Tags:         []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("network")}},
			}},
		}
		dryRun := *in
		dryRun.DryRun = aws.Bool(true)
		_, err := admin.ec2.CreateIpamResourceDiscovery(ctx, &dryRun)
		wantCode(t, err, "DryRunOperation")
		wantStatus(t, err, http.StatusPreconditionFailed)
		d := must[*ec2.CreateIpamResourceDiscoveryOutput](t)(admin.ec2.CreateIpamResourceDiscovery(ctx, in)).IpamResourceDiscovery
		id := aws.ToString(d.IpamResourceDiscoveryId)
		if aws.ToBool(d.IsDefault) || d.State != ec2types.IpamResourceDiscoveryStateCreateInProgress || aws.ToString(d.OwnerId) != member1 ||
			aws.ToString(d.Description) != "sandbox excluded" || len(d.OperatingRegions) != 2 || len(d.Tags) != 1 || id == *ip.DefaultResourceDiscoveryId {
			t.Fatalf("created = %+v", d)
		}
		// The same token: the same resource discovery; another: the quota.
		if again := must[*ec2.CreateIpamResourceDiscoveryOutput](t)(admin.ec2.CreateIpamResourceDiscovery(ctx, in)).IpamResourceDiscovery; aws.ToString(again.IpamResourceDiscoveryId) != id {
			t.Fatalf("retried create made %s", aws.ToString(again.IpamResourceDiscoveryId))
		}
		_, err = admin.ec2.CreateIpamResourceDiscovery(ctx, &ec2.CreateIpamResourceDiscoveryInput{})
		wantCode(t, err, "ResourceLimitExceeded")
		_, err = withRegion(admin, "eu-west-1").ec2.CreateIpamResourceDiscovery(ctx, &ec2.CreateIpamResourceDiscoveryInput{
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeIpam}},
		})
		wantCode(t, err, "InvalidParameterValue")

		// Discovery: nothing until create-complete plus the lag, then the
		// organization, in each operating Region.
		if got := discovered(t, admin, id, "eu-west-1"); len(got) != 0 {
			t.Fatalf("discovered while creating: %+v", got)
		}
		time.Sleep(10*time.Second + time.Minute)
		if d := discoveryOf(t, admin, id); d.State != ec2types.IpamResourceDiscoveryStateCreateComplete {
			t.Fatalf("after the delay: %s", d.State)
		}
		if got := discovered(t, admin, id, "eu-west-1"); len(got) != 3 {
			t.Fatalf("discovered = %+v", got)
		}

		// Filters, the tags' included.
		for _, tc := range []struct {
			f    ec2types.Filter
			want []string
		}{
			{filter("is-default", "false"), []string{id}},
			{filter("is-default", "true"), []string{*ip.DefaultResourceDiscoveryId}},
			{filter("tag:team", "network"), []string{id}},
			{filter("tag-key", "team"), []string{id}},
			{filter("operating-region", "eu-west-1"), []string{id}},
			{filter("description", "sandbox excluded"), []string{id}},
			{filter("owner-id", member1), []string{*ip.DefaultResourceDiscoveryId, id}},
			{filter("state", "create-complete"), []string{*ip.DefaultResourceDiscoveryId, id}},
			{filter("ipam-resource-discovery-id", id), []string{id}},
		} {
			got := discoveryIDs(describeDiscoveries(t, admin, &ec2.DescribeIpamResourceDiscoveriesInput{Filters: []ec2types.Filter{tc.f}}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("filter %s=%v: %v, want %v", *tc.f.Name, tc.f.Values, got, tc.want)
			}
		}
		_, err = admin.ec2.DescribeIpamResourceDiscoveries(ctx, &ec2.DescribeIpamResourceDiscoveriesInput{Filters: []ec2types.Filter{filter("colour", "red")}})
		wantCode(t, err, "InvalidParameterValue")
		if got := describeDiscoveries(t, admin, &ec2.DescribeIpamResourceDiscoveriesInput{MaxResults: aws.Int32(5)}); len(got) != 2 {
			t.Fatalf("paged: %d", len(got))
		}
		// Another account sees none of them.
		if got := describeDiscoveries(t, memClients(t, emu, mgmt), &ec2.DescribeIpamResourceDiscoveriesInput{}); len(got) != 0 {
			t.Fatalf("the management account sees %v", discoveryIDs(got))
		}

		// Modify: the description and the operating Regions, answered
		// modify-in-progress, modify-complete after the delay.
		mod := must[*ec2.ModifyIpamResourceDiscoveryOutput](t)(admin.ec2.ModifyIpamResourceDiscovery(ctx, &ec2.ModifyIpamResourceDiscoveryInput{
			IpamResourceDiscoveryId: aws.String(id), Description: aws.String(""),
			AddOperatingRegions:    []ec2types.AddIpamOperatingRegion{{RegionName: aws.String("ap-south-1")}},
			RemoveOperatingRegions: []ec2types.RemoveIpamOperatingRegion{{RegionName: aws.String("eu-west-1")}},
		})).IpamResourceDiscovery
		if mod.State != ec2types.IpamResourceDiscoveryStateModifyInProgress || aws.ToString(mod.Description) != "" || len(mod.OperatingRegions) != 2 ||
			aws.ToString(mod.OperatingRegions[1].RegionName) != "ap-south-1" {
			t.Fatalf("modified = %+v", mod)
		}
		time.Sleep(10 * time.Second)
		if d := discoveryOf(t, admin, id); d.State != ec2types.IpamResourceDiscoveryStateModifyComplete {
			t.Fatalf("after the delay: %s", d.State)
		}
		if got := discovered(t, admin, id, "eu-west-1"); len(got) != 0 {
			t.Fatalf("discovered outside the operating Regions: %+v", got)
		}
		_, err = admin.ec2.ModifyIpamResourceDiscovery(ctx, &ec2.ModifyIpamResourceDiscoveryInput{
			IpamResourceDiscoveryId: aws.String(id), RemoveOperatingRegions: []ec2types.RemoveIpamOperatingRegion{{RegionName: aws.String("us-east-1")}},
		})
		wantCode(t, err, "InvalidParameterValue")
		_, err = admin.ec2.ModifyIpamResourceDiscovery(ctx, &ec2.ModifyIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String("ipam-res-disco-0123456789abcdef0")})
		wantCode(t, err, "InvalidIpamResourceDiscoveryId.NotFound")

		// Associate: associate-in-progress, complete after the delay.
		assocIn := &ec2.AssociateIpamResourceDiscoveryInput{IpamId: ip.IpamId, IpamResourceDiscoveryId: aws.String(id), ClientToken: aws.String("token-2"),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeIpamResourceDiscoveryAssociation, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}}
		a := must[*ec2.AssociateIpamResourceDiscoveryOutput](t)(admin.ec2.AssociateIpamResourceDiscovery(ctx, assocIn)).IpamResourceDiscoveryAssociation
		assocID := aws.ToString(a.IpamResourceDiscoveryAssociationId)
		if aws.ToBool(a.IsDefault) || a.State != ec2types.IpamResourceDiscoveryAssociationStateAssociateInProgress || aws.ToString(a.IpamId) != *ip.IpamId ||
			aws.ToString(a.IpamResourceDiscoveryId) != id || aws.ToString(a.OwnerId) != member1 || len(a.Tags) != 1 ||
			aws.ToString(a.IpamResourceDiscoveryAssociationArn) != "arn:aws:ec2::"+member1+":ipam-resource-discovery-association/"+assocID {
			t.Fatalf("associated = %+v", a)
		}
		if again := must[*ec2.AssociateIpamResourceDiscoveryOutput](t)(admin.ec2.AssociateIpamResourceDiscovery(ctx, assocIn)); aws.ToString(again.IpamResourceDiscoveryAssociation.IpamResourceDiscoveryAssociationId) != assocID {
			t.Fatal("a retried association made another")
		}
		_, err = admin.ec2.AssociateIpamResourceDiscovery(ctx, &ec2.AssociateIpamResourceDiscoveryInput{IpamId: ip.IpamId, IpamResourceDiscoveryId: aws.String(id)})
		wantCode(t, err, "InvalidParameterValue")
		_, err = admin.ec2.AssociateIpamResourceDiscovery(ctx, &ec2.AssociateIpamResourceDiscoveryInput{IpamId: aws.String("ipam-0123456789abcdef0"), IpamResourceDiscoveryId: aws.String(id)})
		wantCode(t, err, "InvalidIpamId.NotFound")
		time.Sleep(10 * time.Second)
		as := describeAssociations(t, admin, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{IpamResourceDiscoveryAssociationIds: []string{assocID}})
		if len(as) != 1 || as[0].State != ec2types.IpamResourceDiscoveryAssociationStateAssociateComplete {
			t.Fatalf("after the delay: %+v", as)
		}
		if got := describeIPAMs(t, admin); aws.ToInt32(got[0].ResourceDiscoveryAssociationCount) != 2 {
			t.Fatalf("DescribeIpams: %d associations", aws.ToInt32(got[0].ResourceDiscoveryAssociationCount))
		}
		for _, tc := range []struct {
			f    ec2types.Filter
			want int
		}{
			{filter("ipam-id", *ip.IpamId), 2},
			{filter("is-default", "false"), 1},
			{filter("ipam-resource-discovery-id", id), 1},
			{filter("tag:k", "v"), 1},
			{filter("state", "associate-complete"), 2},
			{filter("resource-discovery-status", "active"), 2},
		} {
			if got := describeAssociations(t, admin, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{Filters: []ec2types.Filter{tc.f}}); len(got) != tc.want {
				t.Errorf("filter %s=%v: %d, want %d", *tc.f.Name, tc.f.Values, len(got), tc.want)
			}
		}
		_, err = admin.ec2.DescribeIpamResourceDiscoveryAssociations(ctx, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{Filters: []ec2types.Filter{filter("nope")}})
		wantCode(t, err, "InvalidParameterValue")

		// Teardown: not while associated; disassociate, then delete.
		_, err = admin.ec2.DeleteIpamResourceDiscovery(ctx, &ec2.DeleteIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String(id)})
		wantCode(t, err, "IncorrectState")
		_, err = admin.ec2.DisassociateIpamResourceDiscovery(ctx, &ec2.DisassociateIpamResourceDiscoveryInput{IpamResourceDiscoveryAssociationId: aws.String(assocID), DryRun: aws.Bool(true)})
		wantCode(t, err, "DryRunOperation")
		dis := must[*ec2.DisassociateIpamResourceDiscoveryOutput](t)(admin.ec2.DisassociateIpamResourceDiscovery(ctx, &ec2.DisassociateIpamResourceDiscoveryInput{IpamResourceDiscoveryAssociationId: aws.String(assocID)}))
		if dis.IpamResourceDiscoveryAssociation.State != ec2types.IpamResourceDiscoveryAssociationStateDisassociateInProgress {
			t.Fatalf("disassociating: %s", dis.IpamResourceDiscoveryAssociation.State)
		}
		time.Sleep(10 * time.Second)
		_, err = admin.ec2.DisassociateIpamResourceDiscovery(ctx, &ec2.DisassociateIpamResourceDiscoveryInput{IpamResourceDiscoveryAssociationId: aws.String(assocID)})
		wantCode(t, err, "InvalidIpamResourceDiscoveryAssociationId.NotFound")
		del := must[*ec2.DeleteIpamResourceDiscoveryOutput](t)(admin.ec2.DeleteIpamResourceDiscovery(ctx, &ec2.DeleteIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String(id)}))
		if del.IpamResourceDiscovery.State != ec2types.IpamResourceDiscoveryStateDeleteInProgress {
			t.Fatalf("deleting: %s", del.IpamResourceDiscovery.State)
		}
		// Still there while being deleted: still the quota's.
		_, err = admin.ec2.CreateIpamResourceDiscovery(ctx, &ec2.CreateIpamResourceDiscoveryInput{})
		wantCode(t, err, "ResourceLimitExceeded")
		time.Sleep(10 * time.Second)
		if d := discoveryOf(t, admin, id); d != nil {
			t.Fatalf("after the deletion: %+v", d)
		}
		createDiscovery(t, admin)
		if w := emu.Writes(); len(w) == 0 || !slices.ContainsFunc(w, func(r awstest.Request) bool { return r.Action == "ec2:ModifyIpamResourceDiscovery" && r.Succeeded() }) {
			t.Fatalf("writes = %+v", w)
		}
	})
}

// The associations quota, five per IPAM with the default one, and an
// IPAM's deletion ending its associations.
func TestAssociationQuotaAndIPAMDeletion(t *testing.T) {
	emu := awstest.New(awstest.WithResourceDiscoveryQuota(5))
	c := memClients(t, emu, mgmt)
	ip := createIPAM(t, c)
	var ds []string
	for range 5 {
		ds = append(ds, aws.ToString(createDiscovery(t, c).IpamResourceDiscoveryId))
	}
	_, err := c.ec2.CreateIpamResourceDiscovery(t.Context(), &ec2.CreateIpamResourceDiscoveryInput{})
	wantCode(t, err, "ResourceLimitExceeded")
	for _, id := range ds[:4] {
		associate(t, c, *ip.IpamId, id)
	}
	_, err = c.ec2.AssociateIpamResourceDiscovery(t.Context(), &ec2.AssociateIpamResourceDiscoveryInput{IpamId: ip.IpamId, IpamResourceDiscoveryId: aws.String(ds[4])})
	wantCode(t, err, "ResourceLimitExceeded")

	deleteIPAM(t, c, *ip.IpamId)
	if as := describeAssociations(t, c, &ec2.DescribeIpamResourceDiscoveryAssociationsInput{}); len(as) != 0 {
		t.Fatalf("associations of a deleted IPAM: %+v", as)
	}
	for _, id := range ds {
		must[*ec2.DeleteIpamResourceDiscoveryOutput](t)(c.ec2.DeleteIpamResourceDiscovery(t.Context(), &ec2.DeleteIpamResourceDiscoveryInput{IpamResourceDiscoveryId: aws.String(id)}))
	}
	if st := emu.Snapshot(); len(st.ResourceDiscoveries) != 0 || len(st.ResourceDiscoveryAssociations) != 0 {
		t.Fatalf("state = %+v", st)
	}
}

// A resource discovery made by an account that is not the IPAM admin
// discovers that account only; the admin's discovers the organization.
func TestMadeResourceDiscoveryScope(t *testing.T) {
	emu := awstest.New()
	must[any](t)(enableIPAM(t.Context(), memClients(t, emu, mgmt), member1))
	for _, tc := range []struct {
		account string
		want    int
	}{{member1, 3}, {member2, 1}} {
		c := memClients(t, emu, tc.account)
		d := createDiscovery(t, c)
		got := discovered(t, c, *d.IpamResourceDiscoveryId, "us-east-1")
		if len(got) != tc.want {
			t.Errorf("%s: discovered %+v, want %d accounts", tc.account, got, tc.want)
		}
		if rd, ok := emu.Snapshot().ResourceDiscovery(*d.IpamResourceDiscoveryId); !ok || rd.OrganizationWide != (tc.want > 1) || rd.IsDefault {
			t.Errorf("%s: state %+v", tc.account, rd)
		}
	}
}

// A resource discovery is an IPAM resource: AWSServiceRoleForIPAM's
// deletion fails while one exists.
func TestServiceLinkedRoleInUseByResourceDiscovery(t *testing.T) {
	emu := awstest.New()
	emu.PutRole(mgmt, awstest.IPAMRoleName)
	c := memClients(t, emu, mgmt)
	d := createDiscovery(t, withRegion(c, "eu-west-1"))
	out := must[*iam.DeleteServiceLinkedRoleOutput](t)(c.iam.DeleteServiceLinkedRole(t.Context(), &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(awstest.IPAMRoleName)}))
	st := must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t)(c.iam.GetServiceLinkedRoleDeletionStatus(t.Context(),
		&iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId}))
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil || len(st.Reason.RoleUsageList) != 1 ||
		aws.ToString(st.Reason.RoleUsageList[0].Region) != "eu-west-1" || !slices.Equal(st.Reason.RoleUsageList[0].Resources, []string{*d.IpamResourceDiscoveryArn}) {
		t.Fatalf("status = %+v", st)
	}
}
