#!/usr/bin/env bash
# Audit engine at scale: a 3-dimension hierarchical table of about one
# million published cells (100 x 50 x 200 leaves plus all totals), about a
# million cells as 8,547 small tables solved through the LP, and the LP cost
# by block size. Prints times; record them in benches/RESULTS.md.
# Usage: benches/audit_scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/discreet-target}"
cargo test --release -p discreet-audit --test scale -- --ignored --nocapture --test-threads 1
