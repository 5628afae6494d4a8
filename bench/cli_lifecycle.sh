#!/usr/bin/env bash
# The IPAM lifecycle none -> delegated -> none scripted with the AWS CLI,
# doing the work the library does (ipamorg's Reconcile to delegated, then to
# none): each write, then a poll of the read that confirms it.
#
#   enable admin        ec2 enable-ipam-organization-admin-account
#                       poll organizations list-delegated-administrators until it shows
#   disable admin       ec2 disable-ipam-organization-admin-account
#                       poll organizations list-delegated-administrators until it is gone
#   disable access      organizations disable-aws-service-access
#                       poll organizations list-aws-service-access-for-organization until ipam is gone
#   delete the role     iam delete-service-linked-role
#                       poll iam get-service-linked-role-deletion-status until SUCCEEDED
#
# Polls are at once, then once a second (a second's sleep after each
# answer, as a script polls), for at most 120 polls. The library also
# reads the organization before each Reconcile (5 reads) and guards the
# delegation (DescribeAccount) and the teardown (the administrator's IPAMs:
# AssumeRole, DescribeRegions, DescribeIpams in every Region); this script
# skips those, so it makes fewer calls than the library: the comparison
# favours the CLI.
#
# Usage: bench/cli_lifecycle.sh AWS_CLI ENDPOINT
#   AWS_CLI   the aws executable (v1 or v2)
#   ENDPOINT  an emulator in state none with the default organization, e.g.
#             'ipamorgctl serve --addr 127.0.0.1:0 --lag 2s' (its first line)
# Prints one line: "wall-ms MS calls N". Exits non-zero on any failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 AWS_CLI ENDPOINT" >&2
  exit 2
fi
aws=$1
endpoint=$2
admin=222222222222
principal=ipam.amazonaws.com

# Only these settings reach the CLI: no profile, region or endpoint of the
# user's, and empty config and credentials files.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while read -r v; do unset "$v"; done < <(compgen -e | grep '^AWS_' || true)
: >"$work/config"
: >"$work/credentials"
export AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" AWS_PAGER=""

# cli ARGS...: one AWS CLI call; its stdout is the output. Calls are
# counted in a file: most run in command substitutions, i.e. subshells.
: >"$work/calls"
cli() {
  echo >>"$work/calls"
  "$aws" --endpoint-url "$endpoint" --output text "$@"
}

# poll WANT ARGS...: calls the CLI with ARGS until its output is WANT.
poll() {
  local want=$1 got
  shift
  for _ in $(seq 120); do
    got=$(cli "$@")
    [ "$got" = "$want" ] && return 0
    sleep 1
  done
  echo "cli_lifecycle: gave up waiting for '$want' from: $*; last: '$got'" >&2
  exit 1
}

now_ns() { date +%s%N; }
start=$(now_ns)

cli ec2 enable-ipam-organization-admin-account --delegated-admin-account-id "$admin" >/dev/null
poll "$admin" organizations list-delegated-administrators --service-principal "$principal" \
  --query 'DelegatedAdministrators[].Id'

cli ec2 disable-ipam-organization-admin-account --delegated-admin-account-id "$admin" >/dev/null
poll "0" organizations list-delegated-administrators --service-principal "$principal" \
  --query 'length(DelegatedAdministrators)'

cli organizations disable-aws-service-access --service-principal "$principal" >/dev/null
poll "0" organizations list-aws-service-access-for-organization \
  --query "length(EnabledServicePrincipals[?ServicePrincipal=='$principal'])"

task=$(cli iam delete-service-linked-role --role-name AWSServiceRoleForIPAM --query DeletionTaskId)
poll "SUCCEEDED" iam get-service-linked-role-deletion-status --deletion-task-id "$task" --query Status

end=$(now_ns)
awk -v ns="$((end - start))" -v calls="$(wc -l <"$work/calls")" 'BEGIN { printf "wall-ms %.1f calls %d\n", ns / 1e6, calls }'
