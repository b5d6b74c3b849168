#!/usr/bin/env bash
# How close `discreet run` comes to the least any pipeline must do. For each
# size, generates synthetic admissions (CSV, seed 1), then for every
# permanent-resident pipeline times, on the same file and in the same run:
#   - `discreet run` of the pipeline (hashing, record checks, group-bys,
#     mapping, margins, rule, writing every file);
#   - a bare streaming polars group-by of the file by the pipeline's
#     dimension columns (crates/discreet-ingest/examples/bare_group_by.rs);
# and prints both with their peak memory and the ratio run / group-by.
# Issue 4's targets: ratio at most 1.5; peak under 4 GiB at 1e8 rows.
#
# Usage: benches/run_vs_groupby.sh [ROWS...]   (default: 10000000 100000000)
# FORMAT=parquet benches/run_vs_groupby.sh ... does the same on Parquet files
# (the bare group-by then reads typed columns; the run casts them to text).
# Needs /usr/bin/time (Debian package `time`). Scratch files go to $TMPDIR;
# 1e8 rows take 4.4 GB of disk (CSV) and about 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
FORMAT="${FORMAT:-csv}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000000 100000000)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
# The whole workspace, as CI builds it: building one polars crate alone
# unifies other features and rebuilds polars.
cargo build --release -q --workspace --examples
BIN="$CARGO_TARGET_DIR/release/discreet"
BARE="$CARGO_TARGET_DIR/release/examples/bare_group_by"
SCRATCH="${TMPDIR:-/tmp}/discreet-bench"
mkdir -p "$SCRATCH"

# Dimension columns of a pipeline, from its `[dimensions.*]` tables.
columns() {
  awk '/^\[dimensions\./{d=1; next} /^\[/{d=0} d && /^column *=/{gsub(/.*= *"|".*/,""); print}' "$1"
}
# "seconds peak_MiB" of a command, its output discarded.
timed() {
  /usr/bin/time -o "$SCRATCH/time.txt" -f "%e %M" "$@" >/dev/null 2>&1
  awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }' "$SCRATCH/time.txt"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-12s %-28s %9s %9s %10s %9s %7s\n" rows pipeline run_s run_MiB groupby_s gb_MiB ratio
for rows in "${SIZES[@]}"; do
  data="$SCRATCH/admissions-$rows.$FORMAT"
  [ -f "$data" ] || "$BIN" testdata --rows "$rows" --seed 1 --out "$data" 2>/dev/null
  for spec in pipelines/pr_*.toml; do
    name="$(basename "$spec" .toml)"
    out="$SCRATCH/release-$name"
    rm -rf "$out"
    read -r rs rm < <(timed "$BIN" run "$spec" --input "admissions=$data" --out "$out")
    mapfile -t cols < <(columns "$spec")
    read -r gs gm < <(timed "$BARE" "$data" "${cols[@]}")
    awk -v n="$rows" -v p="$name" -v rs="$rs" -v rm="$rm" -v gs="$gs" -v gm="$gm" \
      'BEGIN { printf "%-12s %-28s %9.2f %9d %10.2f %9d %7.2f\n", n, p, rs, rm, gs, gm, rs / gs }'
  done
done
