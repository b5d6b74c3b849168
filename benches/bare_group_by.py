"""The least any pipeline must do with a microdata file, as an analyst would
write it in Python polars: one lazy scan with the date and age columns typed,
one group-by of the given columns with a row count, nothing else (no
hashing, no checks, no rule, no writing). `benches/run_vs_groupby.sh` times
it against `discreet run` on the same file. Prints only the number of groups.

Usage: python bare_group_by.py FILE COLUMN...   (CSV, or Parquet by extension)
"""
import sys

import polars as pl

# The synthetic admissions' typed columns; the others are text.
TYPES = {"admission_date": pl.Date, "age": pl.Int32}


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: bare_group_by.py FILE COLUMN...")
    path, columns = sys.argv[1], sys.argv[2:]
    if path.endswith(".parquet"):
        scan = pl.scan_parquet(path)
    else:
        scan = pl.scan_csv(path, schema_overrides=TYPES)
    groups = scan.group_by(columns).agg(pl.len()).collect(engine="streaming")
    print(f"{groups.height} groups")


if __name__ == "__main__":
    main()
