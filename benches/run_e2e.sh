#!/usr/bin/env bash
# End-to-end benchmark: generate N synthetic admissions and N synthetic
# permits (default 10 million each), then time `discreet run` of every
# bundled pipeline on its input and record wall time, rows per second and
# peak memory (GNU time's maximum resident set).
#
# Usage: benches/run_e2e.sh [ROWS] [csv|parquet]
# Needs /usr/bin/time (Debian package `time`). Scratch files go to $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
FORMAT="${2:-csv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
# The whole workspace, as CI builds it: building one polars crate alone
# unifies other features and rebuilds polars.
cargo build --release -q --workspace
BIN="$CARGO_TARGET_DIR/release/discreet"
SCRATCH="${TMPDIR:-/tmp}/discreet-bench"
mkdir -p "$SCRATCH"
data() {
  local file="$SCRATCH/$1-$ROWS.$FORMAT"
  if [ ! -f "$file" ]; then
    /usr/bin/time -f "testdata $1: %e s, peak %M KB" "$BIN" testdata --kind "$1" --rows "$ROWS" --seed 1 --out "$file" >&2
  fi
  echo "$file"
}
ADMISSIONS="$(data admissions)"
PERMITS="$(data permits)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $ROWS rows of $FORMAT: admissions $(du -h "$ADMISSIONS" | cut -f1), permits $(du -h "$PERMITS" | cut -f1)"
printf "%-50s %10s %14s %12s\n" pipeline seconds rows/s peak_MiB
for spec in pipelines/*.toml; do
  name="$(basename "$spec" .toml)"
  # Each pipeline reads the input its spec declares.
  if grep -q '^\[inputs\.permits\]' "$spec"; then input="permits=$PERMITS"; else input="admissions=$ADMISSIONS"; fi
  out="$SCRATCH/release-$name"
  rm -rf "$out"
  /usr/bin/time -o "$SCRATCH/time.txt" -f "%e %M" "$BIN" run "$spec" --input "$input" --out "$out" 2>/dev/null
  read -r secs kb < "$SCRATCH/time.txt"
  awk -v n="$name" -v s="$secs" -v k="$kb" -v r="$ROWS" 'BEGIN { printf "%-50s %10.2f %14.0f %12.0f\n", n, s, r / s, k / 1024 }'
done
