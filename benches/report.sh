#!/usr/bin/env bash
# `discreet report` of a table of about 20,000 cells: the bundled
# province x category x month pipeline with its period starting in
# October 2022 (21,375 cells) on the bundled admissions. Prints the time
# and peak memory of the report, the page's size, and the time Chromium
# takes to open it and take a screenshot against the same for an empty
# page (the difference is the page's load and render). Record the
# figures in benches/RESULTS.md. Usage: benches/report.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
runs=${1:-3}
browser=${CHROMIUM:-/usr/bin/chromium}
cargo build --release -p discreet-cli
bin="$CARGO_TARGET_DIR/release/discreet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/first = "2023-01"/first = "2022-10"/' pipelines/pr_province_category_month.toml > "$work/spec.toml"
"$bin" run "$work/spec.toml" --input admissions=testdata/pr_admissions.csv --out "$work/rel" 2> /dev/null
echo "cells: $(grep -o '"cells": [0-9]*' "$work/rel/manifest.json" | head -1)"
/usr/bin/time -f "report: %e s, %M KB peak" "$bin" report "$work/rel" 2>&1 | grep -v "^discreet"
echo "page: $(stat -c %s "$work/rel/report.html") bytes"
printf '<!DOCTYPE html><html><body></body></html>' > "$work/empty.html"
if [ ! -x "$browser" ]; then echo "no Chromium at $browser: load time not measured"; exit 0; fi
shot() {
  local profile; profile=$(mktemp -d "$work/profile.XXXX")
  local start end
  start=$(date +%s.%N)
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --window-size=1200,1600 --screenshot="$work/shot.png" "file://$1" > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
for i in $(seq "$runs"); do
  empty=$(shot "$work/empty.html")
  page=$(shot "$work/rel/report.html")
  echo "chromium run $i: empty page $empty s, report $page s, difference $(awk -v a="$empty" -v b="$page" 'BEGIN { printf "%.2f", b - a }') s"
done
