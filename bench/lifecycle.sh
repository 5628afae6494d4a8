# The lifecycle figures; sourced by bench/run.sh after bench/lib.sh.
# Prints: Observe; the lifecycle none -> delegated -> none over the
# emulator in process at 100 ms a call and lags of 0, 2 and 10 s, against
# its ideal (docs/performance.md, "Lifecycle"); and the same lifecycle
# scripted with the AWS CLI polling once a second (bench/cli_lifecycle.sh)
# against `ipamorgctl serve` with the same latency and lags, next to the
# library against the same server.

cli_runs=${BENCH_CLI_RUNS:-1}
lags=(0s 2s 10s)
latency_fault='{"operation":"*","latency":"100ms"}'

# real_aws PATH: the AWS CLI program PATH runs, not a shell wrapper: a
# pyenv shim resolves to what `pyenv which aws` names; any other shell
# script is refused (empty output).
real_aws() {
  local p=$1
  if head -n 1 "$p" | grep -Eq '^#!.*(/|env )(ba|da)?sh'; then
    if grep -q pyenv "$p" && command -v pyenv >/dev/null; then
      p=$(pyenv which aws 2>/dev/null) || return 0
    else
      return 0
    fi
  fi
  readlink -f "$p"
}

declare -A aws_path cli_version
while read -r candidate; do
  path=$(real_aws "$candidate")
  [ -n "$path" ] || continue
  version=$("$path" --version 2>&1 | cut -d' ' -f1)
  case "$version" in
    aws-cli/1.*) v=v1 ;;
    aws-cli/2.*) v=v2 ;;
    *) continue ;;
  esac
  [ -n "${aws_path[$v]:-}" ] || { aws_path[$v]=$path; cli_version[$v]=$version; }
done < <({ type -ap aws; echo /usr/bin/aws; } | awk '!seen[$0]++' | while read -r p; do [ -x "$p" ] && echo "$p"; done)

# The CLI's start-up apart: the median wall of `aws --version`, and of one
# call (sts get-caller-identity) against a server at 100 ms a call.
declare -A cli_ms cli_calls cli_start cli_call
for v in v1 v2; do
  path=${aws_path[$v]:-}
  [ -n "$path" ] || { echo "AWS CLI $v: not found, skipped"; continue; }
  echo "AWS CLI $v: $path (${cli_version[$v]})"
  : >"$work/start-$v"
  for _ in 1 2 3 4 5; do
    t0=$(now_ns); "$path" --version >/dev/null 2>&1; t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000 ))" >>"$work/start-$v"
  done
  cli_start[$v]=$(awk '{ print $1 / 1000 }' "$work/start-$v" | median)
  start_server --fault "$latency_fault"
  : >"$work/call-$v"
  for _ in 1 2 3; do
    t0=$(now_ns)
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      "$path" --endpoint-url "$endpoint" sts get-caller-identity >/dev/null
    t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000 ))" >>"$work/call-$v"
  done
  stop_server
  cli_call[$v]=$(awk '{ print $1 / 1000 }' "$work/call-$v" | median)
  for lag in "${lags[@]}"; do
    start_server --lag "$lag" --fault "$latency_fault"
    : >"$work/cli-$v-$lag"
    for _ in $(seq "$cli_runs"); do
      line=$(bash bench/cli_lifecycle.sh "$path" "$endpoint")
      echo "  lag $lag: $line"
      read -r _ ms _ calls <<<"$line"
      echo "$ms" >>"$work/cli-$v-$lag"
    done
    stop_server
    cli_ms[$v-$lag]=$(median <"$work/cli-$v-$lag")
    cli_calls[$v-$lag]=$calls
  done
done

echo "library: lifecycles against ipamorgctl serve"
declare -A lib_ms lib_ideal
for lag in "${lags[@]}"; do
  start_server --lag "$lag" --fault "$latency_fault"
  lib_out=$(IPAMORG_BENCH_ENDPOINT=$endpoint IPAMORG_BENCH_LAG=$lag go test -run '^$' -bench '^BenchmarkLifecycleEndpoint$' -benchtime=1x ./ipamorg)
  stop_server
  echo "$lib_out" | grep -E '^Benchmark' | sed "s/^/  lag $lag: /"
  lib_ms[$lag]=$(metric "$lib_out" BenchmarkLifecycleEndpoint wall-ms)
  lib_ideal[$lag]=$(metric "$lib_out" BenchmarkLifecycleEndpoint ideal-ms)
done

echo "benchmarks: Observe, Lifecycle"
out=$(go test -run '^$' -bench '^(BenchmarkObserve|BenchmarkLifecycle)$' -benchtime=1x -timeout 10m ./ipamorg)
echo "$out" | grep -E '^Benchmark' || true

header "lifecycle (100 ms a call; default Options)"
o=BenchmarkObserve
row "Observe, 50 ms/call: wall / slowest single read" "$(ratio "$(metric "$out" $o wall-ms)" "$(metric "$out" $o slowest-read-ms)")" "<=" 1.2
for lag in "${lags[@]}"; do
  l="BenchmarkLifecycle/lag=$lag"
  wall=$(metric "$out" "$l" wall-ms) ideal=$(metric "$out" "$l" ideal-ms)
  calls=$(metric "$out" "$l" calls) min=$(metric "$out" "$l" min-calls) most=$(metric "$out" "$l" max-calls)
  row "Lifecycle none>delegated>none, lag $lag: wall / ideal ($(num "$wall" 0) / $(num "$ideal" 0) ms)" "$(ratio "$wall" "$ideal")" "<=" 1.1
  row "  time lost per write, max, ms (mean $(num "$(metric "$out" "$l" lost-mean-ms)" 0) ms)" "$(num "$(metric "$out" "$l" lost-max-ms)" 0)" "<=" 300
  row "  calls / minimum ($(num "$calls" 0) / $(num "$min" 0); schedule's bound $(num "$most" 0))" "$(ratio "$calls" "$min")" "<=" "$(ratio "$most" "$min")"
  row "  writes / the 4 needed" "$(ratio "$(metric "$out" "$l" writes)" 4)" "==" 1
done
for lag in "${lags[@]}"; do
  row "Library against ipamorgctl serve, lag $lag: wall / ideal ($(num "${lib_ms[$lag]}" 0) ms)" "$(ratio "${lib_ms[$lag]}" "${lib_ideal[$lag]}")" "<=" 1.1
done
for v in v1 v2; do
  [ -n "${cli_start[$v]:-}" ] || continue
  row "AWS CLI $v start-up: aws --version, median of 5, ms" "$(num "${cli_start[$v]}" 0)"
  row "  one call (sts get-caller-identity, 100 ms), median of 3, ms" "$(num "${cli_call[$v]}" 0)"
  for lag in "${lags[@]}"; do
    row "  AWS CLI $v polling 1/s / library, lag $lag ($(num "${cli_ms[$v-$lag]}" 0) ms, ${cli_calls[$v-$lag]} calls)" "$(ratio "${cli_ms[$v-$lag]}" "${lib_ms[$lag]}")"
  done
done
