#!/usr/bin/env bash
# End-to-end benchmark: generate N synthetic admissions (default 10 million),
# then time `discreet run` of every bundled pipeline on them and record wall
# time, rows per second and peak memory (GNU time's maximum resident set).
#
# Usage: benches/run_e2e.sh [ROWS] [csv|parquet]
# Needs /usr/bin/time (Debian package `time`). Scratch files go to $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
FORMAT="${2:-csv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
cargo build --release -q -p discreet-cli
BIN="$CARGO_TARGET_DIR/release/discreet"
SCRATCH="${TMPDIR:-/tmp}/discreet-bench"
mkdir -p "$SCRATCH"
DATA="$SCRATCH/admissions-$ROWS.$FORMAT"
if [ ! -f "$DATA" ]; then
  /usr/bin/time -f "testdata: %e s, peak %M KB" "$BIN" testdata --rows "$ROWS" --seed 1 --out "$DATA"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; input $(du -h "$DATA" | cut -f1) $FORMAT, $ROWS rows"
printf "%-32s %10s %14s %12s\n" pipeline seconds rows/s peak_MiB
for spec in pipelines/*.toml; do
  name="$(basename "$spec" .toml)"
  out="$SCRATCH/release-$name"
  rm -rf "$out"
  /usr/bin/time -o "$SCRATCH/time.txt" -f "%e %M" "$BIN" run "$spec" --input "admissions=$DATA" --out "$out" 2>/dev/null
  read -r secs kb < "$SCRATCH/time.txt"
  awk -v n="$name" -v s="$secs" -v k="$kb" -v r="$ROWS" 'BEGIN { printf "%-32s %10.2f %14.0f %12.0f\n", n, s, r / s, k / 1024 }'
done
