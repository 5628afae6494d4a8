# The fleet figures; sourced by bench/run.sh after bench/lib.sh.
# Prints: VerifyServiceLinkedRoles at the default and at tuned options
# (Concurrency 256, no rate limit) over organizations of 1,000, 10,000 and
# 100,000 accounts, flat and in a tree of OUs, against `ipamorgctl serve`
# in a process of its own, every call answered after 20 ms, so that the
# heap measured is the library's; and Monitoring over 10,000 accounts in
# two Regions against the fleet check's calls, without and with three OU
# exclusions. See docs/performance.md#fleet-verification-and-monitoring.
#
# The default options at 100,000 accounts take about 250 s each, flat and
# in a tree (16 workers, two calls of 20 ms an account); BENCH_FLEET_QUICK=1
# leaves them out.

fleet_latency=20ms
fleet_out=""

# fleet_bench NAME ACCOUNTS OUS SUBS: BenchmarkFleet's sub-benchmarks SUBS
# (default, tuned or default|tuned) against a fresh server of ACCOUNTS
# accounts (the management account and generated members, every one with
# AWSServiceRoleForIPAM: --delegated) spread over OUS OUs; its lines are
# renamed BenchmarkFleet/NAME/SUB. A line BenchmarkFleet/NAME/SUBS-emulator
# adds the CPU time the server used meanwhile (emu-cpu-ms).
fleet_bench() {
  local name=$1 accounts=$2 ous=$3 subs=$4 out cpu0 cpu1
  echo "  $name: $accounts accounts, $ous OUs ($subs)"
  start_server --members "$((accounts - 1))" --ous "$ous" --delegated 200000000001 \
    --fault "{\"operation\":\"*\",\"latency\":\"$fleet_latency\"}"
  go test -c -o "$work/ipamorg.test" ./ipamorg
  cpu0=$(proc_cpu_ms "$server_pid")
  out=$(IPAMORG_BENCH_FLEET_ENDPOINT=$endpoint IPAMORG_BENCH_FLEET_ACCOUNTS=$accounts IPAMORG_BENCH_FLEET_LATENCY=$fleet_latency \
    "$work/ipamorg.test" -test.run '^$' -test.bench "^BenchmarkFleet\$/^($subs)\$" -test.benchtime=1x -test.timeout 30m)
  cpu1=$(proc_cpu_ms "$server_pid")
  stop_server
  out=$(echo "$out" | grep -E '^BenchmarkFleet/' | sed "s|^BenchmarkFleet/|BenchmarkFleet/$name/|")
  out=$(printf '%s\nBenchmarkFleet/%s/%s-emulator 1 %s emu-cpu-ms' "$out" "$name" "$subs" "$((cpu1 - cpu0))")
  echo "$out" | sed 's/^/    /'
  fleet_out=$(printf '%s\n%s' "$fleet_out" "$out")
}

echo "benchmarks: Fleet (against ipamorgctl serve, $fleet_latency a call)"
fleet_bench flat1k 1000 0 'default|tuned'
fleet_bench tree1k 1000 10 'default|tuned'
fleet_bench flat10k 10000 0 'default|tuned'
fleet_bench tree10k 10000 100 default
fleet_bench tree10k 10000 100 tuned
fleet_bench tree100k 100000 1000 tuned
fleet_bench flat100k 100000 0 tuned
if [ "${BENCH_FLEET_QUICK:-}" != 1 ]; then
  fleet_bench tree100k 100000 1000 default
  fleet_bench flat100k 100000 0 default
fi

echo "benchmarks: MonitoringFleet, MonitoringExclusions (in process)"
mon_out=$(go test -run '^$' -bench '^BenchmarkMonitoring(Fleet|Exclusions)$' -benchtime=1x -timeout 10m ./ipamorg | grep -E '^Benchmark')
echo "$mon_out" | sed 's/^/    /'

f() { metric "$fleet_out" "BenchmarkFleet/$1" "$2"; }
ratio4() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) exit; printf "%.4f", a / b }'; }
wall_ideal() { ratio "$(f "$1" wall-ms)" "$(f "$1" ideal-ms)"; }

header "fleet ($fleet_latency a call)"
for shape in flat tree; do
  for n in 1k 10k 100k; do
    [ -n "$(f "$shape$n/default" wall-ms)" ] || continue
    if [ "$n" = 10k ]; then
      row "Fleet, default options, $n $shape: wall / ideal (c=16)" "$(wall_ideal "$shape$n/default")" "<=" 1.5
    else
      row "Fleet, default options, $n $shape: wall / ideal (c=16)" "$(wall_ideal "$shape$n/default")"
    fi
    row "  wall $(num "$(f "$shape$n/default" wall-ms)" 0) ms, ideal $(num "$(f "$shape$n/default" ideal-ms)" 0) ms, library heap $(num "$(f "$shape$n/default" lib-heap-MB)") MB; calls" \
      "$(num "$(f "$shape$n/default" calls)" 0)"
  done
done

t=tree10k/tuned
row "Fleet, c=256, 10,000 in 100 OUs: wall / max(listing, checking ideal)" "$(wall_ideal $t)" "<=" 1.3
row "  wall $(num "$(f $t wall-ms)" 0) ms; listing ideal $(num "$(f $t list-ideal-ms)" 0) ms ($(num "$(f $t list-calls)" 0) calls), checking" \
  "$(num "$(f $t check-ideal-ms)" 0)"
# What bounds it on this machine: the CPU both processes need, spread over
# every core at best.
cores=$(nproc)
lib_cpu=$(f $t lib-cpu-ms)
emu_cpu=$(f "$t-emulator" emu-cpu-ms)
floor=$(awk -v a="$lib_cpu" -v b="$emu_cpu" -v c="$cores" 'BEGIN { if (a == "" || b == "") exit; print (a + b) / c }')
row "  CPU: library $(num "$lib_cpu" 0) ms ($(num "$(awk -v a="$lib_cpu" -v n="$(f $t calls)" 'BEGIN { if (n) print a * 1000 / n }')" 0) us a call), emulator $(num "$emu_cpu" 0) ms; floor on $cores cores, ms" "$(num "$floor" 0)"
row "  wall / max(ideal, CPU floor)" "$(ratio "$(f $t wall-ms)" "$(awk -v a="$(f $t ideal-ms)" -v b="$floor" 'BEGIN { print (a > b) ? a : b }')")"
row "Fleet, c=256, 100,000 / 10,000 in a tree: wall" "$(ratio "$(f tree100k/tuned wall-ms)" "$(f $t wall-ms)")" "<=" 11
row "Fleet, c=256, 100,000 / 10,000 in a tree: library heap" "$(ratio "$(f tree100k/tuned lib-heap-MB)" "$(f $t lib-heap-MB)")" "<=" 10
row "Fleet, c=256, 100,000 in 1,000 OUs: library heap, MB" "$(num "$(f tree100k/tuned lib-heap-MB)")" "<" 100
row "  live heap, MB (10,000: $(num "$(f $t lib-live-MB)"))" "$(num "$(f tree100k/tuned lib-live-MB)")"
for c in tree1k/tuned tree100k/tuned flat1k/tuned flat10k/tuned flat100k/tuned; do
  row "Fleet, c=256, $c: wall / ideal (wall $(num "$(f $c wall-ms)" 0) ms)" "$(wall_ideal $c)"
done

m=BenchmarkMonitoringFleet
mon_calls=$(metric "$mon_out" $m calls)
mon_list=$(metric "$mon_out" $m list-calls)
fleet_calls=$(f tree10k/default calls)
fleet_list=$(f tree10k/default list-calls)
row "Monitoring, 10,000 in 100 OUs, 2 Regions: discovery pages" "$(num "$(metric "$mon_out" $m discovery-calls)" 0)" "<=" 22
row "Monitoring / fleet check, calls beyond the shared listing" \
  "$(ratio4 "$(awk -v a="$mon_calls" -v b="$mon_list" 'BEGIN { print a - b }')" "$(awk -v a="$fleet_calls" -v b="$fleet_list" 'BEGIN { print a - b }')")" "<=" 0.01
row "Monitoring / fleet check, all calls ($(num "$mon_calls" 0) / $(num "$fleet_calls" 0))" "$(ratio4 "$mon_calls" "$fleet_calls")"
row "Monitoring / fleet check, wall ($(num "$(metric "$mon_out" $m wall-ms)" 0) / $(num "$(f tree10k/default wall-ms)" 0) ms, default options)" \
  "$(ratio4 "$(metric "$mon_out" $m wall-ms)" "$(f tree10k/default wall-ms)")"

# OU exclusions: the calls beyond the listing's and the discovery's pages
# (those grow with the accounts, by design) are the same with three
# exclusions as without, the resource discoveries read once per
# organization-wide IPAM (one here); none per account.
e=BenchmarkMonitoringExclusions
beyond() { awk -v a="$(metric "$mon_out" "$1" calls)" -v l="$(metric "$mon_out" "$1" list-calls)" -v d="$(metric "$mon_out" "$1" discovery-calls)" \
  'BEGIN { if (a == "") exit; print a - l - d }'; }
row "Monitoring, 3 OU exclusions ($(num "$(metric "$mon_out" $e excluded)" 0) accounts excluded): resource discovery reads" \
  "$(num "$(metric "$mon_out" $e resource-discovery-calls)" 0)" "<=" 2
row "Monitoring, 3 OU exclusions / none, calls beyond the listing and discovery pages ($(beyond $e) / $(beyond $m))" \
  "$(ratio "$(beyond $e)" "$(beyond $m)")" "<=" 1
