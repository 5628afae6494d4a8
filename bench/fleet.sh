# The fleet figures; sourced by bench/run.sh after bench/lib.sh.
# Prints: VerifyServiceLinkedRoles over organizations of 1,000 and 10,000
# accounts.

echo "benchmarks: VerifyFleet"
out=$(go test -run '^$' -bench '^BenchmarkVerifyFleet$' -benchtime=1x -benchmem -timeout 20m ./ipamorg)
echo "$out" | grep -E '^Benchmark' || true

header "fleet"
for n in 1000 10000; do
  f="BenchmarkVerifyFleet/accounts=$n"
  row "Fleet, $n accounts, 20 ms/call, c=16: wall / ideal" "$(ratio "$(metric "$out" "$f" wall-ms)" "$(metric "$out" "$f" ideal-ms)")" "<=" 1.5
  row "  peak heap in use, MB" "$(num "$(metric "$out" "$f" peak-heap-MB)")"
done
