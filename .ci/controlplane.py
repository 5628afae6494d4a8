#!/usr/bin/env python3
"""The emulator's control plane driven from Python, as a user of another
language would: boto3 for the AWS APIs, urllib for /_awstest/.

Usage: controlplane.py SERVER_COMMAND...   (e.g. ./ipamorgctl serve)

The script starts the server with --addr 127.0.0.1:0 and the sample
scenario, reads the endpoint from its first line, checks health, faults
(injected, listed, striking with the model's status, cleared), the audit
log, the state, the lags and reset, and stops the server with SIGTERM.
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


def client(endpoint, service, account):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
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

    # A write through boto3, seen in the state and the audit.
    out = ec2.create_ipam(OperatingRegions=[{"RegionName": "us-east-1"}])
    ipam_id = out["Ipam"]["IpamId"]
    status, state = control(endpoint, "GET", "state")
    ipams = state.get("ipams", [])
    check("GET /_awstest/state shows the IPAM", status == 200 and len(ipams) == 1 and ipams[0]["id"] == ipam_id
          and ipams[0]["organizationWide"] is True and state["delegatedAdmins"]["ipam.amazonaws.com"] == [ADMIN], f"{state}")
    writes = [r for r in control(endpoint, "GET", "audit")[1] if r["write"]]
    check("the audit shows the write", [w["action"] for w in writes] == ["ec2:CreateIpam"], f"{writes}")

    # Lags: discovery held off for an hour, then released.
    status, lags = control(endpoint, "POST", "lag", {"discoveryLag": "1h"})
    check("POST /_awstest/lag", status == 200 and lags["discoveryLag"] == "1h0m0s", f"{status} {lags}")
    ec2.delete_ipam(IpamId=ipam_id, Cascade=True)
    disco = ec2.create_ipam()["Ipam"]["DefaultResourceDiscoveryId"]
    found = ec2.get_ipam_discovered_accounts(IpamResourceDiscoveryId=disco, DiscoveryRegion="us-east-1")["IpamDiscoveredAccounts"]
    check("nothing discovered during the lag", found == [], f"{found}")
    control(endpoint, "POST", "lag", {"discoveryLag": "0s"})
    found = ec2.get_ipam_discovered_accounts(IpamResourceDiscoveryId=disco, DiscoveryRegion="us-east-1")["IpamDiscoveredAccounts"]
    failed = {a["AccountId"]: a["FailureReason"]["Code"] for a in found if "FailureReason" in a}
    check("discovered once the lag is gone", len(found) == 7 and failed == {"777777777777": "assume-role-failure"}, f"{found}")

    # Reset: the starting scenario, no audit, no fault, the starting lags.
    control(endpoint, "POST", "faults", {"operation": "*", "code": "X"})
    status, body = control(endpoint, "POST", "reset")
    check("POST /_awstest/reset", status == 200 and body == {"status": "ok"}, f"{status} {body}")
    state = control(endpoint, "GET", "state")[1]
    check("reset: back to the scenario", state["ipams"] == [] and state["delegatedAdmins"]["ipam.amazonaws.com"] == [ADMIN], f"{state}")
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
