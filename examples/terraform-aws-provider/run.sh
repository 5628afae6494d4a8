#!/usr/bin/env bash
# Runs main.tf with Terraform's own AWS provider against `ipamorgctl serve`:
# apply, a plan that must show no changes, a change of the excluded OUs
# (apply, clean plan), destroy. Not run in CI: the AWS provider takes over
# half an hour to build on 2 cores. CI replays what this run recorded
# (awsclient/awstest/replay_test.go).
#
# Usage: bash examples/terraform-aws-provider/run.sh PROVIDER_DIR [--record FILE] [serve flags...]
#   PROVIDER_DIR  the directory holding the built terraform-provider-aws
#   --record FILE append every request Terraform makes, and its answer, to
#                 FILE (serve --record)
#   serve flags   passed on, e.g. --lag 200ms
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
provider_dir=${1:?usage: run.sh PROVIDER_DIR [--record FILE] [serve flags...]}
shift
[ -x "$provider_dir/terraform-provider-aws" ] || { echo "run.sh: no terraform-provider-aws in $provider_dir" >&2; exit 64; }
provider_dir=$(cd "$provider_dir" && pwd)

work=$(mktemp -d)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

go -C "$repo" build -o "$work/ipamorgctl" ./examples/ipamorgctl
"$work/ipamorgctl" serve --org "$here/organization.json" --addr 127.0.0.1:0 "$@" > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do
  grep -q '^endpoint: ' "$work/serve.out" 2>/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
endpoint=$(sed -n 's/^endpoint: //p' "$work/serve.out")
[ -n "$endpoint" ] || { echo "run.sh: serve did not announce its endpoint" >&2; cat "$work/serve.err" >&2; exit 1; }
echo "run.sh: serving $endpoint $*"

cat > "$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides { "hashicorp/aws" = "$provider_dir" }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE=$work/dev.tfrc TF_IN_AUTOMATION=1
# Nothing of the machine's AWS configuration: main.tf names its accounts.
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

cp "$here/main.tf" "$work/"
cd "$work"
tf() { echo "run.sh: terraform $*"; terraform "$@" -no-color -input=false -var "endpoint=$endpoint"; }
clean_plan() {
  set +e
  tf plan -detailed-exitcode "$@"
  rc=$?
  set -e
  case $rc in
    0) echo "run.sh: the plan after apply shows no changes" ;;
    2) echo "run.sh: the plan after apply shows changes" >&2; exit 1 ;;
    *) echo "run.sh: terraform plan failed (exit $rc)" >&2; exit 1 ;;
  esac
}

tf apply -auto-approve
clean_plan
both='excluded_ous=["Sandbox","Workloads"]'
tf apply -auto-approve -var "$both"
clean_plan -var "$both"
tf destroy -auto-approve -var "$both"
# Through the control plane, which --record does not record: the
# recording holds Terraform's requests only.
echo "run.sh: the emulator's state after destroy:"
curl -fsS "$endpoint/_awstest/state"
echo
echo "run.sh: applied, planned clean, changed the exclusions, planned clean and destroyed"
