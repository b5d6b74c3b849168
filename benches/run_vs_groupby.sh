#!/usr/bin/env bash
# How close `discreet run` comes to the least any pipeline must do. For each
# size and format, generates synthetic admissions (seed 1), then for each of
# the three permanent-resident pipelines on that extract times, on the same
# file and in the same run:
#   - `discreet run` of the pipeline (hashing, record checks, group-bys,
#     mapping, margins, rule, writing every file);
#   - a bare lazy group-by of the file by the pipeline's dimension columns,
#     as an analyst would write it in Python polars, with the date and age
#     columns typed (benches/bare_group_by.py);
#   - the same group-by with the checks discreet makes of the file first,
#     also in polars (benches/checked_group_by.py): the file's SHA-256, the
#     key present and unique, codes in their codelists, ages in range;
# and prints each with its peak memory, and the ratios run / bare group-by
# and run / checked group-by.
# Targets: ratio to the bare group-by at most 1.5 in both formats; peak
# under 4 GiB at 1e8 rows.
#
# Usage: benches/run_vs_groupby.sh [ROWS...]   (default: 10000000 100000000)
# FORMATS="csv parquet" (the default) chooses the formats; DISCREET=PATH
# measures that binary instead of building the workspace's.
# Python polars is installed with pip into a virtual environment under
# ~/.cache (PyPI must be reachable the first time). Needs /usr/bin/time
# (Debian package `time`). Scratch files go to $TMPDIR; 1e8 rows take
# 4.4 GB of disk (CSV) and about 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
FORMATS="${FORMATS:-csv parquet}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000000 100000000)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
# The whole workspace, as CI builds it: building one polars crate alone
# unifies other features and rebuilds polars.
if [ -z "${DISCREET:-}" ]; then
  cargo build --release -q --workspace
fi
BIN="${DISCREET:-$CARGO_TARGET_DIR/release/discreet}"
VENV="$HOME/.cache/discreet-bench-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'polars>=1'
fi
BARE=("$VENV/bin/python" benches/bare_group_by.py)
CHECKED=("$VENV/bin/python" benches/checked_group_by.py)
SCRATCH="${TMPDIR:-/tmp}/discreet-bench"
mkdir -p "$SCRATCH"
PIPELINES=(pr_age_gender_year pr_citizenship_month pr_province_category_month)

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
echo "polars (Python): $("${BARE[0]}" -c 'import polars; print(polars.__version__)')"
printf "%-10s %-8s %-28s %8s %8s %10s %8s %6s %10s %8s %6s\n" rows format pipeline \
  run_s run_MiB groupby_s gb_MiB ratio checked_s ck_MiB ratio
for rows in "${SIZES[@]}"; do
  for format in $FORMATS; do
    data="$SCRATCH/admissions-$rows.$format"
    [ -f "$data" ] || "$BIN" testdata --rows "$rows" --seed 1 --out "$data" 2>/dev/null
    for name in "${PIPELINES[@]}"; do
      spec="pipelines/$name.toml"
      out="$SCRATCH/release-$name"
      rm -rf "$out"
      read -r rs rm < <(timed "$BIN" run "$spec" --input "admissions=$data" --out "$out")
      mapfile -t cols < <(columns "$spec")
      read -r gs gm < <(timed "${BARE[@]}" "$data" "${cols[@]}")
      read -r cs cm < <(timed "${CHECKED[@]}" "$data" "${cols[@]}")
      awk -v n="$rows" -v f="$format" -v p="$name" -v rs="$rs" -v rm="$rm" -v gs="$gs" -v gm="$gm" \
        -v cs="$cs" -v cm="$cm" 'BEGIN { printf "%-10s %-8s %-28s %8.2f %8d %10.2f %8d %6.2f %10.2f %8d %6.2f\n",
          n, f, p, rs, rm, gs, gm, rs / gs, cs, cm, rs / cs }'
    done
  done
done
