#!/usr/bin/env python3
"""The emulator's control plane driven from Python, as a user of another
language would: boto3 for the AWS APIs, urllib for /_awstest/.

Usage: controlplane.py SERVER_COMMAND...   (e.g. ./ipamorgctl serve)

The script starts the server with --addr 127.0.0.1:0 and the sample
scenario, reads the endpoint from its first line, checks health, faults
(injected, listed, striking with the model's status, cleared), the audit
log, the state, the lags, the scenario IPAM's resource discovery with its
OU exclusion (modified, honoured by discovery) and another resource
discovery associated with the IPAM, and reset, and stops the server with
SIGTERM.
It exits 0 when every check passes, 1 otherwise. .ci/controlplane runs it.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

SCENARIO = os.path.join(os.path.dirname(__file__), "..", "examples", "emulator", "organization.json")
MGMT, ADMIN, MEMBER = "111111111111", "222222222222", "444444444444"
# The sample's ACTIVE accounts outside Sandbox, which its IPAM excludes, and
# those inside.
OUTSIDE_SANDBOX = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777"]
IN_SANDBOX = ["999999999999", "101010101010"]

failures = []


def check(name, ok, detail=""):
    if ok:
        print(f"  ok    {name}")
    else:
        print(f"  FAIL  {name}\n        {detail}")
        failures.append(name)


def control(endpoint, method, path, body=None):
    """Calls /_awstest/PATH; returns (HTTP status, decoded JSON)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{endpoint}/_awstest/{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def raw(url, method, data=None, headers=None):
    """Sends one request as a browser or a form might; returns (HTTP status, decoded JSON)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def client(endpoint, service, account, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def error_of(call):
    """Runs call; returns (code, HTTP status) of the ClientError it raises."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def run(endpoint):
    status, body = control(endpoint, "GET", "health")
    check("GET /_awstest/health", status == 200 and body == {"status": "ok"}, f"{status} {body}")

    org = client(endpoint, "organizations", MGMT)
    iam = client(endpoint, "iam", MGMT)
    ec2 = client(endpoint, "ec2", ADMIN)
    check("boto3 describe_organization", org.describe_organization()["Organization"]["MasterAccountId"] == MGMT)

    # Faults: inject, list, strike with the service model's status, clear.
    status, body = control(endpoint, "POST", "faults",
                           {"operation": "DescribeOrganization", "code": "awstest:Throttle", "count": 1})
    check("POST /_awstest/faults", status == 200 and body.get("operation") == "DescribeOrganization", f"{status} {body}")
    status, body = control(endpoint, "POST", "faults", {"operation": "GetRole", "code": "LimitExceeded", "count": 1})
    status, listed = control(endpoint, "GET", "faults")
    check("GET /_awstest/faults", status == 200 and [f["operation"] for f in listed] == ["DescribeOrganization", "GetRole"], f"{listed}")
    code, http = error_of(org.describe_organization)
    check("the injected throttle strikes Organizations", (code, http) == ("TooManyRequestsException", 400), f"{code} {http}")
    code, http = error_of(lambda: iam.get_role(RoleName="AWSServiceRoleForIPAM"))
    check("IAM's LimitExceeded has the model's status 409", (code, http) == ("LimitExceeded", 409), f"{code} {http}")
    check("counted faults are used up", org.describe_organization()["Organization"]["MasterAccountId"] == MGMT)

    control(endpoint, "POST", "faults", {"operation": "*", "code": "awstest:Unavailable"})
    code, http = error_of(ec2.describe_regions)
    check("a fault for every operation", (code, http) == ("ServiceUnavailable", 503), f"{code} {http}")
    status, body = control(endpoint, "DELETE", "faults")
    check("DELETE /_awstest/faults", status == 200 and control(endpoint, "GET", "faults")[1] == [], f"{status} {body}")
    check("no fault after DELETE", len(ec2.describe_regions()["Regions"]) >= 8)

    status, body = control(endpoint, "POST", "faults", {"operation": "Nope", "code": "X"})
    check("an unknown operation is refused", status == 400 and "unknown operation" in body.get("error", ""), f"{status} {body}")
    status, body = control(endpoint, "POST", "faults", {"operation": "*", "code": "X", "colour": "red"})
    check("an unknown field is refused", status == 400 and "colour" in body.get("error", ""), f"{status} {body}")

    # The audit log.
    status, audit = control(endpoint, "GET", "audit")
    keys = {"time", "account", "service", "operation", "action", "write", "code", "status"}
    check("GET /_awstest/audit has the documented fields", status == 200 and all(keys <= set(r) for r in audit), f"{audit[:1]}")
    throttled = [r for r in audit if r["code"] == "TooManyRequestsException"]
    check("the audit records the fault", len(throttled) == 1 and throttled[0]["fault"] is True
          and throttled[0]["account"] == MGMT and throttled[0]["action"] == "organizations:DescribeOrganization", f"{throttled}")

    # A write through boto3, seen in the state and the audit (in us-west-2:
    # the scenario's IPAM is in us-east-1).
    west = client(endpoint, "ec2", ADMIN, "us-west-2")
    out = west.create_ipam(OperatingRegions=[{"RegionName": "us-west-2"}])
    ipam_id = out["Ipam"]["IpamId"]
    status, state = control(endpoint, "GET", "state")
    ipams = state.get("ipams", [])
    check("GET /_awstest/state shows the IPAM", status == 200 and len(ipams) == 2 and ipams[1]["id"] == ipam_id
          and ipams[1]["organizationWide"] is True and state["delegatedAdmins"]["ipam.amazonaws.com"] == [ADMIN], f"{state}")
    writes = [r for r in control(endpoint, "GET", "audit")[1] if r["write"]]
    check("the audit shows the write", [w["action"] for w in writes] == ["ec2:CreateIpam"], f"{writes}")

    # Lags: discovery held off for an hour, then released.
    status, lags = control(endpoint, "POST", "lag", {"discoveryLag": "1h"})
    check("POST /_awstest/lag", status == 200 and lags["discoveryLag"] == "1h0m0s", f"{status} {lags}")
    west.delete_ipam(IpamId=ipam_id, Cascade=True)
    disco = west.create_ipam()["Ipam"]["DefaultResourceDiscoveryId"]
    found = west.get_ipam_discovered_accounts(IpamResourceDiscoveryId=disco, DiscoveryRegion="us-west-2")["IpamDiscoveredAccounts"]
    check("nothing discovered during the lag", found == [], f"{found}")
    control(endpoint, "POST", "lag", {"discoveryLag": "0s"})
    found = west.get_ipam_discovered_accounts(IpamResourceDiscoveryId=disco, DiscoveryRegion="us-west-2")["IpamDiscoveredAccounts"]
    failed = {a["AccountId"]: a["FailureReason"]["Code"] for a in found if "FailureReason" in a}
    check("discovered once the lag is gone", len(found) == 9 and failed == {"777777777777": "assume-role-failure"}, f"{found}")

    run_resource_discoveries(endpoint, org, ec2)

    # Reset: the starting scenario, no audit, no fault, the starting lags.
    sandbox = sandbox_path(org)
    control(endpoint, "POST", "faults", {"operation": "*", "code": "X"})
    status, body = control(endpoint, "POST", "reset")
    check("POST /_awstest/reset", status == 200 and body == {"status": "ok"}, f"{status} {body}")
    state = control(endpoint, "GET", "state")[1]
    check("reset: back to the scenario", [(i["ownerId"], i["region"]) for i in state["ipams"]] == [(ADMIN, "us-east-1")]
          and state["delegatedAdmins"]["ipam.amazonaws.com"] == [ADMIN], f"{state}")
    check("reset: the scenario's exclusion", [d["exclusions"] for d in state["resourceDiscoveries"]] == [[sandbox + "*"]], f"{state}")
    check("reset: empty audit, no fault", control(endpoint, "GET", "audit")[1] == [] and control(endpoint, "GET", "faults")[1] == [])
    check("reset: the starting lags", control(endpoint, "GET", "lag")[1]["discoveryLag"] == "0s")
    roots = client(endpoint, "organizations", ADMIN).list_roots()["Roots"]
    check("the IPAM admin reads the tree after reset", len(roots) == 1 and roots[0]["Id"].startswith("r-"), f"{roots}")
    code, _ = error_of(lambda: client(endpoint, "organizations", MEMBER).list_roots())
    check("another member may not", code == "AccessDeniedException", f"{code}")

    # What a web page can send and no AWS client does is refused (docs/emulator.md#refused).
    control(endpoint, "POST", "faults", {"operation": "GetRole", "code": "X"})
    status, body = raw(f"{endpoint}/_awstest/reset", "POST", b"x", {"Content-Type": "text/plain"})
    check("a text/plain POST (a form) is refused", status == 415 and "application/json" in body.get("error", ""), f"{status} {body}")
    status, body = raw(f"{endpoint}/_awstest/faults", "DELETE", headers={"Origin": "https://attacker.example"})
    check("a request with an Origin is refused", status == 403 and "browsers" in body.get("error", ""), f"{status} {body}")
    port = endpoint.rsplit(":", 1)[1]
    status, body = raw(f"{endpoint}/_awstest/state", "GET", headers={"Host": f"rebinding.example:{port}"})
    check("a foreign Host is refused", status == 403 and "Host" in body.get("error", ""), f"{status} {body}")
    check("nothing refused took effect", len(control(endpoint, "GET", "faults")[1]) == 1)
    control(endpoint, "DELETE", "faults")
    sts = client(f"http://localhost:{port}", "sts", MGMT)
    check("boto3 at http://localhost:PORT", sts.get_caller_identity()["Account"] == MGMT)

    status, body = control(endpoint, "GET", "nope")
    check("an unknown endpoint is 404", status == 404 and "error" in body, f"{status} {body}")
    status, body = control(endpoint, "GET", "reset")
    check("a wrong method is 405", status == 405, f"{status} {body}")


def sandbox_path(org):
    """The Organizations entity path of the sample's Sandbox OU."""
    org_id = org.describe_organization()["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    ous = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    return f"{org_id}/{root}/{next(u['Id'] for u in ous if u['Name'] == 'Sandbox')}/"


def run_resource_discoveries(endpoint, org, ec2):
    """The scenario IPAM's resource discovery and its OU exclusion, and
    another resource discovery associated with the IPAM, through boto3.
    Discovery lag is 0 here: exclusions show in discovery at once."""
    sandbox = sandbox_path(org)
    ipam = ec2.describe_ipams()["Ipams"][0]
    disco = ipam["DefaultResourceDiscoveryId"]
    rds = ec2.describe_ipam_resource_discoveries()["IpamResourceDiscoveries"]
    check("boto3 describe_ipam_resource_discoveries: the scenario's exclusion",
          [(d["IpamResourceDiscoveryId"], d["IsDefault"], d["OrganizationalUnitExclusions"]) for d in rds]
          == [(disco, True, [{"OrganizationsEntityPath": sandbox + "*"}])], f"{rds}")

    def discovered():
        pages = ec2.get_paginator("get_ipam_discovered_accounts").paginate(IpamResourceDiscoveryId=disco, DiscoveryRegion="eu-west-1")
        return [a["AccountId"] for p in pages for a in p["IpamDiscoveredAccounts"]]

    check("discovery leaves Sandbox out", discovered() == OUTSIDE_SANDBOX, f"{discovered()}")

    def modify(**kw):
        return ec2.modify_ipam_resource_discovery(IpamResourceDiscoveryId=disco, **kw)["IpamResourceDiscovery"]

    out = modify(RemoveOrganizationalUnitExclusions=[{"OrganizationsEntityPath": sandbox + "*"}])
    check("boto3 modify_ipam_resource_discovery removes the exclusion",
          out["State"] == "modify-in-progress" and out["OrganizationalUnitExclusions"] == [], f"{out}")
    check("Sandbox is discovered again", discovered() == OUTSIDE_SANDBOX + IN_SANDBOX, f"{discovered()}")
    code, http = error_of(lambda: modify(DryRun=True, AddOrganizationalUnitExclusions=[{"OrganizationsEntityPath": sandbox}]))
    check("DryRun answers 412", (code, http) == ("DryRunOperation", 412), f"{code} {http}")
    out = modify(AddOrganizationalUnitExclusions=[{"OrganizationsEntityPath": sandbox}])
    check("an exclusion of Sandbox's own accounts", [x["OrganizationsEntityPath"] for x in out["OrganizationalUnitExclusions"]] == [sandbox], f"{out}")
    check("discovery leaves only Sandbox's own accounts out", discovered() == OUTSIDE_SANDBOX + ["101010101010"], f"{discovered()}")
    code, http = error_of(lambda: modify(AddOrganizationalUnitExclusions=[{"OrganizationsEntityPath": sandbox + "*"}]))
    check("an overlapping exclusion is InvalidParameterValue, 400", (code, http) == ("InvalidParameterValue", 400), f"{code} {http}")
    code, http = error_of(lambda: modify(AddOrganizationalUnitExclusions=[{"OrganizationsEntityPath": "o-aaaaaaaaaa/r-aaaa/ou-aaaa-aaaaaaaa/"}]))
    check("another organization's path is InvalidParameterValue", code == "InvalidParameterValue", f"{code} {http}")
    code, _ = error_of(lambda: client(endpoint, "ec2", MGMT).modify_ipam_resource_discovery(IpamResourceDiscoveryId=disco))
    check("another account's resource discovery is not found", code == "InvalidIpamResourceDiscoveryId.NotFound", f"{code}")

    # Another resource discovery, associated with the IPAM.
    made = ec2.create_ipam_resource_discovery(OperatingRegions=[{"RegionName": "us-east-1"}],
                                              TagSpecifications=[{"ResourceType": "ipam-resource-discovery", "Tags": [{"Key": "k", "Value": "v"}]}])["IpamResourceDiscovery"]
    check("boto3 create_ipam_resource_discovery", made["IsDefault"] is False and made["State"] == "create-in-progress" and made["Tags"] == [{"Key": "k", "Value": "v"}], f"{made}")
    made_id = made["IpamResourceDiscoveryId"]
    code, _ = error_of(ec2.create_ipam_resource_discovery)
    check("one resource discovery per Region", code == "ResourceLimitExceeded", f"{code}")
    assoc = ec2.associate_ipam_resource_discovery(IpamId=ipam["IpamId"], IpamResourceDiscoveryId=made_id)["IpamResourceDiscoveryAssociation"]
    check("boto3 associate_ipam_resource_discovery", assoc["State"] == "associate-in-progress" and assoc["IpamId"] == ipam["IpamId"], f"{assoc}")
    assocs = ec2.describe_ipam_resource_discovery_associations(Filters=[{"Name": "ipam-id", "Values": [ipam["IpamId"]]}])["IpamResourceDiscoveryAssociations"]
    check("boto3 describe_ipam_resource_discovery_associations", sorted((a["IsDefault"], a["IpamResourceDiscoveryId"]) for a in assocs)
          == [(False, made_id), (True, disco)], f"{assocs}")
    code, _ = error_of(lambda: ec2.delete_ipam_resource_discovery(IpamResourceDiscoveryId=made_id))
    check("no deletion while associated", code == "IncorrectState", f"{code}")
    out = ec2.disassociate_ipam_resource_discovery(IpamResourceDiscoveryAssociationId=assoc["IpamResourceDiscoveryAssociationId"])
    check("boto3 disassociate_ipam_resource_discovery", out["IpamResourceDiscoveryAssociation"]["State"] == "disassociate-in-progress", f"{out}")
    out = ec2.delete_ipam_resource_discovery(IpamResourceDiscoveryId=made_id)
    check("boto3 delete_ipam_resource_discovery", out["IpamResourceDiscovery"]["State"] == "delete-in-progress", f"{out}")
    left = [d["IpamResourceDiscoveryId"] for d in ec2.describe_ipam_resource_discoveries()["IpamResourceDiscoveries"]]
    check("the default resource discovery is left", left == [disco], f"{left}")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = sys.argv[1:] + ["--addr", "127.0.0.1:0", "--org", SCENARIO]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        if not first.startswith("endpoint: http://"):
            print(f"controlplane: no endpoint line from {' '.join(cmd)}: {first!r} {proc.stderr.read()}", file=sys.stderr)
            return 1
        endpoint = first.split(" ", 1)[1]
        print(f"== the control plane from Python (boto3 {boto3.__version__}) at {endpoint}")
        run(endpoint)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
    check("the server exits 0 on SIGTERM", rc == 0, f"exit {rc}")
    print(f"controlplane: {len(failures)} failed" if failures else "controlplane: every check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
