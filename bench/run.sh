#!/usr/bin/env bash
# Runs the ipamorg benchmarks once over the awstest emulator on loopback,
# and the IPAM lifecycle scripted with the AWS CLI (v1 on PATH, v2 at
# /usr/bin/aws, each if present) against `ipamorgctl serve`, then prints
# every figure of issue 5 against its target in one table. Exits 1 if a
# target is missed. Writes nothing into the repository (ipamorgctl is built
# into a temporary directory). About a minute on 2 cores, most of it the
# fleet verification of 10,000 accounts (25 s at best).
#
# Usage: bash bench/run.sh [extra go test flags]
# Environment: BENCH_CLI_RUNS, lifecycles per AWS CLI (default 3; the
# median counts).
set -euo pipefail
cd "$(dirname "$0")/.."

cli_runs=${BENCH_CLI_RUNS:-3}
work=$(mktemp -d)
server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "building ipamorgctl"
go build -o "$work/ipamorgctl" ./examples/ipamorgctl

# start_server: a fresh `ipamorgctl serve` (default organization, state
# none, no lag); sets endpoint from its first line.
endpoint=""
start_server() {
  "$work/ipamorgctl" serve --addr 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  local line=""
  for _ in $(seq 200); do
    line=$(head -n 1 "$work/server.out")
    case "$line" in endpoint:\ http://*) endpoint=${line#endpoint: }; return 0 ;; esac
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: ipamorgctl serve did not announce its endpoint" >&2
  cat "$work/server.err" >&2
  exit 1
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }

# ---- the AWS CLI against ipamorgctl serve ------------------------------------

aws_v1=""
while read -r candidate; do
  if "$candidate" --version 2>&1 | grep -q '^aws-cli/1\.'; then aws_v1=$candidate; break; fi
done < <(type -ap aws || true)
aws_v2=""
if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2\.'; then aws_v2=/usr/bin/aws; fi

declare -A cli_ms cli_calls cli_version
for v in v1 v2; do
  if [ "$v" = v1 ]; then path=$aws_v1; else path=$aws_v2; fi
  [ -n "$path" ] || { echo "AWS CLI $v: not found, skipped"; continue; }
  cli_version[$v]=$("$path" --version 2>&1 | cut -d' ' -f1)
  echo "AWS CLI $v (${cli_version[$v]}): $cli_runs lifecycles"
  start_server
  : >"$work/cli-$v"
  for _ in $(seq "$cli_runs"); do
    line=$(bash bench/cli_lifecycle.sh "$path" "$endpoint")
    echo "  $line"
    read -r _ ms _ calls <<<"$line"
    echo "$ms" >>"$work/cli-$v"
  done
  stop_server
  cli_ms[$v]=$(median <"$work/cli-$v")
  cli_calls[$v]=$calls
done

# ---- the library (and ipamorgctl) against ipamorgctl serve -------------------

echo "library: lifecycles against ipamorgctl serve"
start_server
endpoint_out=$(IPAMORG_BENCH_ENDPOINT=$endpoint go test -run '^$' -bench '^BenchmarkLifecycleEndpoint$' -benchtime=20x "$@" ./ipamorg)
stop_server

# ipamorgctl is the library in a process of its own, like each aws call:
# its startup counts too.
echo "ipamorgctl: $cli_runs lifecycles (apply --delegate, apply --cleanup)"
start_server
: >"$work/ctl"
for _ in $(seq "$cli_runs"); do
  t0=$(now_ns)
  for move in "--delegate 222222222222" "--cleanup"; do
    # shellcheck disable=SC2086 # $move is two words or one
    AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 \
      "$work/ipamorgctl" --endpoint-url "$endpoint" apply $move --yes >/dev/null
  done
  awk -v ns="$(($(now_ns) - t0))" 'BEGIN { printf "%.1f\n", ns / 1e6 }' >>"$work/ctl"
done
stop_server
ctl_ms=$(median <"$work/ctl")

# ---- the benchmarks over awstest.NewServer ----------------------------------

echo "benchmarks: Observe, Lifecycle, VerifyFleet"
out=$(go test -run '^$' -bench '^(BenchmarkObserve|BenchmarkLifecycle|BenchmarkVerifyFleet)$' \
  -benchtime=1x -benchmem -timeout 10m "$@" ./ipamorg)
out=$(printf '%s\n%s\n' "$out" "$endpoint_out")
echo
echo "$out" | grep -E '^(goos|goarch|cpu|Benchmark)' | awk '!seen[$1]++' || true
echo

# metric NAME UNIT: the value reported with UNIT on the benchmark line NAME.
metric() {
  echo "$out" | awk -v name="$1" -v unit="$2" '
    $1 ~ "^"name"(-[0-9]+)?$" { for (i = 3; i <= NF; i++) if ($i == unit) { print $(i-1); exit } }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
num() { awk -v a="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, a }'; }

# row FIGURE RESULT OP TARGET: a figure against its target; row FIGURE
# RESULT: a figure with no target in issue 5, for information.
status=0
row() {
  local verdict="" target=""
  if [ $# -ge 4 ]; then
    target="$3 $4"
    if [ -z "$2" ]; then
      verdict="NO DATA"; status=1
    elif awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
      verdict="yes"
    else
      verdict="MISSED"; status=1
    fi
  fi
  printf '%-62s %12s  %-8s %s\n' "$1" "$2" "$target" "$verdict"
}

printf '%-62s %12s  %-8s %s\n' "figure" "result" "target" "met?"
printf '%-62s %12s  %-8s %s\n' "------" "------" "------" "----"

o=BenchmarkObserve
row "Observe, 50 ms/call: wall / slowest single read" "$(ratio "$(metric $o wall-ms)" "$(metric $o slowest-read-ms)")" "<=" 1.2
row "  wall ms (slowest single read $(num "$(metric $o slowest-read-ms)") ms)" "$(num "$(metric $o wall-ms)")"

for lag in 0 1s; do
  l="BenchmarkLifecycle/lag=$lag"
  row "Lifecycle none>delegated>none, lag $lag: writes / 4 needed" "$(ratio "$(metric "$l" writes)" 4)" "==" 1
  row "  first poll after a write, ms" "$(num "$(metric "$l" first-poll-ms)" 2)" "<=" 250
  if [ "$lag" != 0 ]; then
    row "  confirmed after visible / gap between polls" \
      "$(ratio "$(metric "$l" confirm-after-visible-ms)" "$(metric "$l" poll-gap-ms)")" "<=" 1
  fi
  row "  calls / minimum ($(num "$(metric "$l" calls)" 0) / $(num "$(metric "$l" min-calls)" 0)); wall $(num "$(metric "$l" wall-ms)") ms" \
    "$(ratio "$(metric "$l" calls)" "$(metric "$l" min-calls)")"
done

for n in 1000 10000; do
  f="BenchmarkVerifyFleet/accounts=$n"
  row "Fleet, $n accounts, 20 ms/call, c=16: wall / ideal" "$(ratio "$(metric "$f" wall-ms)" "$(metric "$f" ideal-ms)")" "<=" 1.2
  row "  wall ms (ideal $(num "$(metric "$f" ideal-ms)" 0) ms)" "$(num "$(metric "$f" wall-ms)" 0)"
  if [ "$n" = 10000 ]; then
    row "  peak heap in use, MB (process: library, SDK and emulator)" "$(num "$(metric "$f" peak-heap-MB)")" "<" 100
  else
    row "  peak heap in use, MB (process: library, SDK and emulator)" "$(num "$(metric "$f" peak-heap-MB)")"
  fi
  row "  peak live heap, MB; allocated $(num "$(awk -v b="$(metric "$f" B/op)" 'BEGIN { print b / 1048576 }')" 0) MB in all" \
    "$(num "$(metric "$f" peak-live-MB)")"
done

lib_ms=$(metric BenchmarkLifecycleEndpoint wall-ms)
for v in v1 v2; do
  if [ -n "${cli_ms[$v]:-}" ]; then
    row "Lifecycle vs ipamorgctl serve: AWS CLI $v / library" "$(ratio "${cli_ms[$v]}" "$lib_ms")" ">=" 20
    row "  AWS CLI $v ms (${cli_version[$v]}, ${cli_calls[$v]} calls); library $(num "$lib_ms" 2) ms" "$(num "${cli_ms[$v]}" 0)"
  elif [ "$v" = v1 ]; then
    row "Lifecycle vs ipamorgctl serve: AWS CLI v1 / library (no aws-cli/1 on PATH)" "" ">=" 20
  else
    row "Lifecycle vs ipamorgctl serve: AWS CLI v2 (no /usr/bin/aws v2: skipped)" "-"
  fi
done
if [ -n "${cli_ms[v1]:-}" ]; then
  row "  AWS CLI v1 / ipamorgctl apply x2 ($(num "$ctl_ms") ms, startup included)" "$(ratio "${cli_ms[v1]}" "$ctl_ms")"
fi
exit "$status"
