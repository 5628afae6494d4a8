#!/usr/bin/env bash
# Runs every benchmark of the package once, on loopback against the
# emulator (awsclient/awstest in process, or `ipamorgctl serve` in a process
# of its own where the library's heap or another client is measured), and
# prints every figure against its target: bench/lifecycle.sh (the
# lifecycle, the AWS CLI comparison) and bench/fleet.sh (the fleet
# verification, Monitoring). Exits 1 if a target is missed. Writes nothing
# into the repository. See bench/RESULTS.md for a run and what each figure
# means.
#
# Usage: bash bench/run.sh [lifecycle|fleet]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3-)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (modified)')"

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(lifecycle fleet)
for part in "${parts[@]}"; do
  case "$part" in
    lifecycle|fleet) . "bench/$part.sh" ;;
    *) echo "bench: unknown part $part (lifecycle, fleet)" >&2; exit 64 ;;
  esac
done
exit "$bench_status"
