# The lifecycle figures; sourced by bench/run.sh after bench/lib.sh.
# Prints: Observe, the lifecycle none -> delegated -> none over the
# emulator in process, and the same lifecycle scripted with the AWS CLI
# (bench/cli_lifecycle.sh) against `ipamorgctl serve`, next to the library
# against the same server.

cli_runs=${BENCH_CLI_RUNS:-3}

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

echo "library: lifecycles against ipamorgctl serve"
start_server
endpoint_out=$(IPAMORG_BENCH_ENDPOINT=$endpoint go test -run '^$' -bench '^BenchmarkLifecycleEndpoint$' -benchtime=20x ./ipamorg)
stop_server

echo "benchmarks: Observe, Lifecycle"
out=$(go test -run '^$' -bench '^(BenchmarkObserve|BenchmarkLifecycle)$' -benchtime=1x -timeout 10m ./ipamorg)
out=$(printf '%s\n%s\n' "$out" "$endpoint_out")
echo "$out" | grep -E '^Benchmark' || true

header "lifecycle"
o=BenchmarkObserve
row "Observe, 50 ms/call: wall / slowest single read" "$(ratio "$(metric "$out" $o wall-ms)" "$(metric "$out" $o slowest-read-ms)")" "<=" 1.2
for lag in 0 1s; do
  l="BenchmarkLifecycle/lag=$lag"
  row "Lifecycle none>delegated>none, lag $lag: writes / 4 needed" "$(ratio "$(metric "$out" "$l" writes)" 4)" "==" 1
  row "  calls / minimum; wall $(num "$(metric "$out" "$l" wall-ms)") ms" \
    "$(ratio "$(metric "$out" "$l" calls)" "$(metric "$out" "$l" min-calls)")"
done
lib_ms=$(metric "$out" BenchmarkLifecycleEndpoint wall-ms)
for v in v1 v2; do
  [ -n "${cli_ms[$v]:-}" ] || continue
  row "Lifecycle vs ipamorgctl serve: AWS CLI $v / library" "$(ratio "${cli_ms[$v]}" "$lib_ms")"
done
