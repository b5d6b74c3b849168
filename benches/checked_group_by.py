"""The same group-by as bare_group_by.py, plus the checks `discreet run`
makes of the synthetic admissions before it counts anything, all written
in Python polars as an analyst would: the file's SHA-256 (recorded in the
manifest; hashed on a thread while polars works), `record_id` present and
unique, every code column's values in its codelist (the CSVs in
schemas/codelists), `age` a whole number from 0 to 130, `admission_date`
present. The checks and the group-by run as one lazy query set
(`collect_all`), so polars shares the scan where it can.

It shows how much of `discreet run`'s time the checks alone cost in
polars itself: `benches/run_vs_groupby.sh` times it beside the bare
group-by. Prints the number of groups, or exits 1 naming the first failed
check.

Usage: python checked_group_by.py FILE COLUMN...   (CSV, or Parquet by extension)
"""
import csv
import hashlib
import sys
import threading
from pathlib import Path

import polars as pl

TYPES = {"admission_date": pl.Date, "age": pl.Int32}
CODELISTS = {
    "country_of_citizenship": "countries",
    "province": "provinces",
    "immigration_category": "immigration_categories",
    "gender": "genders",
}
CODELIST_DIR = Path(__file__).resolve().parent.parent / "schemas" / "codelists"


def codes(name: str) -> list[str]:
    with open(CODELIST_DIR / f"{name}.csv", newline="", encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def sha256(path: str, out: list[str]) -> None:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    out.append(h.hexdigest())


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: checked_group_by.py FILE COLUMN...")
    path, columns = sys.argv[1], sys.argv[2:]
    digest: list[str] = []
    hashing = threading.Thread(target=sha256, args=(path, digest))
    hashing.start()
    if path.endswith(".parquet"):
        scan = pl.scan_parquet(path)
    else:
        scan = pl.scan_csv(path, schema_overrides=TYPES)
    key = pl.col("record_id")
    checks = {
        "record_id present": (key.is_not_null() & (key != "")).all(),
        "record_id unique": key.n_unique() == pl.len(),
        "admission_date present": pl.col("admission_date").is_not_null().all(),
        "age from 0 to 130": pl.col("age").is_between(0, 130).fill_null(False).all(),
    }
    for column, codelist in CODELISTS.items():
        checks[f"{column} in {codelist}"] = (
            pl.col(column).is_in(codes(codelist)).fill_null(False).all()
        )
    checked = scan.select([e.alias(name) for name, e in checks.items()])
    grouped = scan.group_by(columns).agg(pl.len())
    verdicts, groups = pl.collect_all([checked, grouped], engine="streaming")
    hashing.join()
    failed = [name for name, ok in verdicts.row(0, named=True).items() if not ok]
    if failed:
        sys.exit(f"check failed: {failed[0]}")
    print(f"{groups.height} groups, sha256 {digest[0][:12]}")


if __name__ == "__main__":
    main()
