# The fleet figures; sourced by bench/run.sh after bench/lib.sh.
# Prints: VerifyServiceLinkedRoles at the default and at tuned options
# (Concurrency 256, no rate limit) over organizations of 1,000, 10,000 and
# 100,000 accounts, flat and in a tree of OUs, against `ipamorgctl serve`
# in a process of its own, every call answered after 20 ms, so that the
# heap measured is the library's; and Monitoring over 10,000 accounts in
# two Regions against the fleet check's calls. See docs/fleet-performance.md.
#
# The default options at 100,000 accounts would take 250 s (16 workers, two
# calls of 20 ms an account) and tell nothing the 10,000 do not: they run
# only with BENCH_FLEET_FULL=1.

fleet_latency=20ms
fleet_out=""

# fleet_bench NAME ACCOUNTS OUS SUBS: BenchmarkFleet's sub-benchmarks SUBS
# (default, tuned or default|tuned) against a fresh server of ACCOUNTS
# accounts (the management account and generated members, every one with
# AWSServiceRoleForIPAM: --delegated) spread over OUS OUs; its lines are
# renamed BenchmarkFleet/NAME/SUB.
fleet_bench() {
  local name=$1 accounts=$2 ous=$3 subs=$4 out
  echo "  $name: $accounts accounts, $ous OUs ($subs)"
  start_server --members "$((accounts - 1))" --ous "$ous" --delegated 200000000001 \
    --fault "{\"operation\":\"*\",\"latency\":\"$fleet_latency\"}"
  out=$(IPAMORG_BENCH_FLEET_ENDPOINT=$endpoint IPAMORG_BENCH_FLEET_ACCOUNTS=$accounts IPAMORG_BENCH_FLEET_LATENCY=$fleet_latency \
    go test -run '^$' -bench "^BenchmarkFleet\$/^($subs)\$" -benchtime=1x -timeout 30m ./ipamorg)
  stop_server
  out=$(echo "$out" | grep -E '^BenchmarkFleet/' | sed "s|^BenchmarkFleet/|BenchmarkFleet/$name/|")
  echo "$out" | sed 's/^/    /'
  fleet_out=$(printf '%s\n%s' "$fleet_out" "$out")
}

echo "benchmarks: Fleet (against ipamorgctl serve, $fleet_latency a call)"
fleet_bench flat1k 1000 0 'default|tuned'
fleet_bench flat10k 10000 0 'default|tuned'
fleet_bench tree10k 10000 100 'default|tuned'
fleet_bench tree100k 100000 1000 tuned
fleet_bench flat100k 100000 0 tuned
if [ "${BENCH_FLEET_FULL:-}" = 1 ]; then
  fleet_bench tree100kdefault 100000 1000 default
fi

echo "benchmarks: MonitoringFleet (in process)"
mon_out=$(go test -run '^$' -bench '^BenchmarkMonitoringFleet$' -benchtime=1x -timeout 10m ./ipamorg | grep -E '^Benchmark')
echo "$mon_out" | sed 's/^/    /'

f() { metric "$fleet_out" "BenchmarkFleet/$1" "$2"; }
ratio4() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) exit; printf "%.4f", a / b }'; }
wall_ideal() { ratio "$(f "$1" wall-ms)" "$(f "$1" ideal-ms)"; }

header "fleet ($fleet_latency a call)"
row "Fleet, default options, 10,000 flat: wall / ideal (c=16)" "$(wall_ideal flat10k/default)" "<=" 1.5
row "  wall $(num "$(f flat10k/default wall-ms)" 0) ms, ideal $(num "$(f flat10k/default ideal-ms)" 0) ms, calls" "$(num "$(f flat10k/default calls)" 0)"
row "Fleet, default options, 10,000 in 100 OUs: wall / ideal (c=16)" "$(wall_ideal tree10k/default)" "<=" 1.5
row "Fleet, default options, 1,000 flat: wall / ideal" "$(wall_ideal flat1k/default)"
row "Fleet, c=256, 10,000 in 100 OUs: wall / max(listing, checking ideal)" "$(wall_ideal tree10k/tuned)" "<=" 1.3
row "  wall $(num "$(f tree10k/tuned wall-ms)" 0) ms; listing ideal $(num "$(f tree10k/tuned list-ideal-ms)" 0) ms ($(num "$(f tree10k/tuned list-calls)" 0) calls), checking" \
  "$(num "$(f tree10k/tuned check-ideal-ms)" 0)"
row "Fleet, c=256, 100,000 / 10,000 in a tree: wall" "$(ratio "$(f tree100k/tuned wall-ms)" "$(f tree10k/tuned wall-ms)")" "<=" 11
row "Fleet, c=256, 100,000 / 10,000 in a tree: library heap" "$(ratio "$(f tree100k/tuned lib-heap-MB)" "$(f tree10k/tuned lib-heap-MB)")" "<=" 10
row "Fleet, c=256, 100,000 in 1,000 OUs: library heap, MB" "$(num "$(f tree100k/tuned lib-heap-MB)")" "<" 100
row "  live heap, MB (10,000: $(num "$(f tree10k/tuned lib-live-MB)"))" "$(num "$(f tree100k/tuned lib-live-MB)")"
row "Fleet, c=256, 100,000 in 1,000 OUs: wall / ideal" "$(wall_ideal tree100k/tuned)"
row "Fleet, c=256, 10,000 flat: wall / ideal (the listing, 1 page at a time)" "$(wall_ideal flat10k/tuned)"
row "Fleet, c=256, 100,000 flat: wall / ideal (the listing, 1 page at a time)" "$(wall_ideal flat100k/tuned)"
row "Fleet, c=256, 1,000 flat: wall / ideal" "$(wall_ideal flat1k/tuned)"

m=BenchmarkMonitoringFleet
mon_calls=$(metric "$mon_out" $m calls)
mon_list=$(metric "$mon_out" $m list-calls)
fleet_calls=$(f tree10k/default calls)
fleet_list=$(f tree10k/default list-calls)
row "Monitoring, 10,000 in 100 OUs, 2 Regions: discovery pages" "$(num "$(metric "$mon_out" $m discovery-calls)" 0)" "<=" 22
row "Monitoring / fleet check, calls beyond the shared listing" \
  "$(ratio4 "$(awk -v a="$mon_calls" -v b="$mon_list" 'BEGIN { print a - b }')" "$(awk -v a="$fleet_calls" -v b="$fleet_list" 'BEGIN { print a - b }')")" "<=" 0.01
row "Monitoring / fleet check, all calls ($(num "$mon_calls" 0) / $(num "$fleet_calls" 0))" "$(ratio4 "$mon_calls" "$fleet_calls")"
