# Helpers shared by the bench scripts; sourced, not run. bench/run.sh
# sources this file, then bench/lifecycle.sh and bench/fleet.sh, which
# print their rows of the one table run.sh prints.
#
# After sourcing: $work is a temporary directory removed at exit, and
# $ipamorgctl an ipamorgctl built into it.

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

ipamorgctl=$work/ipamorgctl
go build -o "$ipamorgctl" ./examples/ipamorgctl

# start_server [SERVE FLAGS...]: a fresh `ipamorgctl serve` on a free
# loopback port with the flags given (default organization, state none, no
# lag, without any); sets $endpoint from its first line. One at a time.
endpoint=""
start_server() {
  stop_server
  "$ipamorgctl" serve --addr 127.0.0.1:0 "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  local line=""
  for _ in $(seq 600); do
    line=$(head -n 1 "$work/server.out")
    case "$line" in endpoint:\ http://*) endpoint=${line#endpoint: }; return 0 ;; esac
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: ipamorgctl serve did not announce its endpoint" >&2
  cat "$work/server.err" >&2
  exit 1
}

# proc_cpu_ms PID: the CPU time (user and system) process PID has used, in
# milliseconds, from /proc/PID/stat.
proc_cpu_ms() {
  local tck
  tck=$(getconf CLK_TCK)
  # utime and stime, fields 14 and 15: 12 and 13 once the pid and the
  # command (in parentheses, perhaps with spaces) are cut off.
  sed 's/^.*) //' "/proc/$1/stat" | awk -v tck="$tck" '{ printf "%d\n", ($12 + $13) * 1000 / tck }'
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }

# metric OUTPUT NAME UNIT: the value reported with UNIT on the benchmark
# line NAME (without its -GOMAXPROCS suffix) of the go test output OUTPUT.
metric() {
  echo "$1" | awk -v name="$2" -v unit="$3" '
    $1 ~ "^"name"(-[0-9]+)?$" { for (i = 3; i <= NF; i++) if ($i == unit) { print $(i-1); exit } }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) exit; printf "%.2f", a / b }'; }
num() { awk -v a="$1" -v d="${2:-1}" 'BEGIN { if (a == "") exit; printf "%.*f", d, a }'; }

# row FIGURE RESULT OP TARGET: a figure against its target (OP one of awk's
# comparisons: <= < >= > ==), MISSED or NO DATA sets bench_status to 1;
# row FIGURE RESULT: a figure for information.
bench_status=0
row() {
  local verdict="" target=""
  if [ $# -ge 4 ]; then
    target="$3 $4"
    if [ -z "$2" ]; then
      verdict="NO DATA"; bench_status=1
    elif awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
      verdict="yes"
    else
      verdict="MISSED"; bench_status=1
    fi
  fi
  printf '%-70s %12s  %-9s %s\n' "$1" "$2" "$target" "$verdict"
}
header() {
  printf '\n%-70s %12s  %-9s %s\n' "$1" "result" "target" "met?"
  printf '%-70s %12s  %-9s %s\n' "------" "------" "------" "----"
}
