#!/usr/bin/env bash
# The combined audit of a series: eight quarters (2023 Q1 to 2024 Q4) of
# the three bundled permanent-resident tables (citizenship x month,
# province x category x month, age x gender x year) on the bundled
# admissions, each quarter declaring every month but its last final. The
# last quarter of the citizenship series is audited together with every
# other release, as `discreet audit SERIES` does for one series. Prints
# the cells and the time and peak memory of that audit, and the time of a
# run into a series of seven quarters (the eighth, protected against the
# seven before it). Record the figures in benches/RESULTS.md.
# Usage: benches/series_audit.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
runs=${1:-3}
cargo build --release -p discreet-cli
bin="$CARGO_TARGET_DIR/release/discreet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
input=admissions=testdata/pr_admissions.csv

# The spec of quarter q (1..8) of a bundled pipeline, under rule kind $3.
quarter_spec() {
  local pipeline=$1 q=$2 kind=$3
  local months=$((q * 3)) last final year month
  year=$((2023 + (months - 1) / 12)); month=$(((months - 1) % 12 + 1))
  last=$(printf '%04d-%02d' "$year" "$month")
  year=$((2023 + (months - 2) / 12)); month=$(((months - 2) % 12 + 1))
  final=$(printf '%04d-%02d' "$year" "$month")
  sed -e "0,/^name = \"\(.*\)\"/s//name = \"\1-q$q\"/" \
      -e "s/last = \"2025-12\"/last = \"$last\"/" \
      -e "s/^published = \"\(.*\)\"/published = \"\1\"\nfinal_through = \"$final\"/" \
      -e "s/^kind = \"ircc\"/kind = \"$kind\"/" \
      "pipelines/$pipeline.toml" > "$work/$pipeline-q$q-$kind.toml"
  echo "$work/$pipeline-q$q-$kind.toml"
}

pipelines="pr_citizenship_month pr_province_category_month pr_age_gender_year"
previous=()
for q in 1 2 3 4 5 6 7 8; do
  for p in $pipelines; do
    "$bin" run "$(quarter_spec "$p" "$q" ircc)" --input "$input" --out "$work/rel/$p-q$q" 2> /dev/null
    if [ "$q$p" != "8pr_citizenship_month" ]; then previous+=(--previous "$work/rel/$p-q$q"); fi
  done
done
for i in $(seq "$runs"); do
  /usr/bin/time -f "combined audit of 24 releases, run $i: %e s, %M KB peak" \
    "$bin" audit "$work/rel/pr_citizenship_month-q8" "${previous[@]}" --json "$work/audit.json" 2>&1 \
    | grep -E "^combined|^discreet: audit" || true
done

# A series under ircc-repaired: seven quarters, then the eighth timed.
for q in 1 2 3 4 5 6 7; do
  "$bin" run "$(quarter_spec pr_citizenship_month "$q" ircc-repaired)" --input "$input" --series "$work/series" 2> /dev/null
done
/usr/bin/time -f "run of the eighth quarter into the series (ircc-repaired): %e s, %M KB peak" \
  "$bin" run "$(quarter_spec pr_citizenship_month 8 ircc-repaired)" --input "$input" --series "$work/series" 2>&1 \
  | grep -E "^run of|revisions|refused" || true
"$bin" series "$work/series" 2>&1 | tail -1
