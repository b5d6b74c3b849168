use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use discreet_spec::builtin;
use polars::prelude::{DataType, ParquetReader, SerReader};
use rand::SeedableRng;

use super::*;

mod permits;

/// A fresh empty directory for one test.
pub(crate) struct TestDir(PathBuf);

impl TestDir {
    pub(crate) fn new(name: &str) -> TestDir {
        let dir =
            std::env::temp_dir().join(format!("discreet-testdata-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TestDir(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Names of the entries in the directory, sorted.
    pub(crate) fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn write(rows: u64, seed: u64, path: &Path) -> Vec<u8> {
    write_admissions(&AdmissionsOptions { rows, seed }, path, &mut |_| {}).unwrap();
    fs::read(path).unwrap()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm), independent of the generator's calendar code.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Day number of a `YYYY-MM-DD` text, if it is a valid date in that exact form.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| s[r].parse().unwrap())
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let n = days_from_civil(y, m, d);
    (civil_from_days(n) == (y, m, d)).then_some(n)
}

/// Checks every value of a CSV file and returns its data rows split in fields.
fn check_csv(bytes: &[u8], rows: u64) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with('\n'), "file ends with a newline");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("record_id,admission_date,country_of_citizenship,province,immigration_category,age,gender")
    );
    let countries = builtin("countries").unwrap();
    let provinces = builtin("provinces").unwrap();
    let categories = builtin("immigration_categories").unwrap();
    let genders = builtin("genders").unwrap();
    let (first, last) = (days_from_civil(2023, 1, 1), days_from_civil(2025, 12, 31));
    let mut ids = BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 7, "line {}: {line}", i + 2);
        assert_eq!(f[0], format!("PR{:010}", i + 1));
        assert!(ids.insert(f[0].to_string()), "duplicate id {}", f[0]);
        let day = parse_date(f[1]).unwrap_or_else(|| panic!("bad date {}", f[1]));
        assert!((first..=last).contains(&day), "date out of range: {}", f[1]);
        assert!(countries.contains(f[2]), "country {}", f[2]);
        assert_eq!(f[2].len(), 3);
        assert!(
            f[2].bytes().all(|b| b.is_ascii_uppercase()),
            "country {}",
            f[2]
        );
        assert!(provinces.contains(f[3]), "province {}", f[3]);
        assert!(categories.contains(f[4]), "category {}", f[4]);
        let age: u32 = f[5].parse().unwrap_or_else(|_| panic!("age {}", f[5]));
        assert!(age <= 100 && f[5] == age.to_string(), "age {}", f[5]);
        assert!(genders.contains(f[6]), "gender {}", f[6]);
        out.push(f.iter().map(|s| s.to_string()).collect());
    }
    assert_eq!(out.len() as u64, rows, "data lines");
    out
}

#[test]
fn output_format_from_extension() {
    assert_eq!(
        OutputFormat::from_path(Path::new("a/b.csv")),
        Some(OutputFormat::Csv)
    );
    assert_eq!(
        OutputFormat::from_path(Path::new("b.CSV")),
        Some(OutputFormat::Csv)
    );
    assert_eq!(
        OutputFormat::from_path(Path::new("b.Parquet")),
        Some(OutputFormat::Parquet)
    );
    assert_eq!(
        OutputFormat::from_path(Path::new("b.parquet")),
        Some(OutputFormat::Parquet)
    );
    assert_eq!(OutputFormat::from_path(Path::new("b.csv.gz")), None);
    assert_eq!(OutputFormat::from_path(Path::new("csv")), None);
    assert_eq!(OutputFormat::from_path(Path::new(".csv")), None);
    assert_eq!(OutputFormat::from_path(Path::new("b")), None);
}

/// A data set's writer: `rows` rows drawn with `seed` to a path, a chunk
/// of the given size at a time, reporting the rows written after each.
pub(crate) type WriteChunked =
    fn(u64, u64, &Path, u64, &mut dyn FnMut(u64)) -> Result<(), TestdataError>;

/// The admissions writer, as a [`WriteChunked`].
fn admissions_chunked(
    rows: u64,
    seed: u64,
    path: &Path,
    chunk_rows: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_admissions_chunked(
        &AdmissionsOptions { rows, seed },
        path,
        chunk_rows,
        false,
        progress,
    )
}

/// What every data set's CSV writer guarantees: the same seed gives the
/// same bytes whatever the chunk size, another seed other bytes, a longer
/// run starts with a shorter one (cut at the row count), and no temporary
/// file is left.
pub(crate) fn check_csv_determinism(dir: &str, write_chunked: WriteChunked) {
    let dir = TestDir::new(dir);
    let write = |rows: u64, seed: u64, name: &str| {
        write_chunked(rows, seed, &dir.path(name), CHUNK_ROWS, &mut |_| {}).unwrap();
        fs::read(dir.path(name)).unwrap()
    };
    let a = write(5000, 42, "a.csv");
    let b = write(5000, 42, "b.csv");
    assert_eq!(a, b, "same seed, same bytes");
    let mut seen = Vec::new();
    write_chunked(5000, 42, &dir.path("c.csv"), 777, &mut |n| seen.push(n)).unwrap();
    assert_eq!(
        fs::read(dir.path("c.csv")).unwrap(),
        a,
        "chunk size does not change the output"
    );
    assert_eq!(seen, [777, 1554, 2331, 3108, 3885, 4662, 5000]);
    let c = write(5000, 43, "d.csv");
    assert_ne!(a, c, "different seed, different bytes");
    let long = write(6000, 42, "e.csv");
    assert!(long.starts_with(&a));
    assert_eq!(
        dir.entries(),
        ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"],
        "no temporary file left"
    );
}

#[test]
fn csv_is_deterministic_and_independent_of_chunking() {
    check_csv_determinism("csv-det", admissions_chunked);
}

#[test]
fn csv_has_exact_header_rows_and_valid_values() {
    let dir = TestDir::new("csv-valid");
    for rows in [0, 1, 5000] {
        let bytes = write(rows, 7, &dir.path("x.csv"));
        check_csv(&bytes, rows);
    }
}

#[test]
fn shares_are_realistic() {
    let dir = TestDir::new("shares");
    let rows = 200_000u64;
    let data = check_csv(&write(rows, 20261129, &dir.path("x.csv")), rows);
    let count = |col: usize| -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for r in &data {
            *m.entry(r[col].clone()).or_insert(0) += 1;
        }
        m
    };
    let pct = |n: u64| n as f64 * 100.0 / rows as f64;

    let prov = count(3);
    let p = |c: &str| pct(prov.get(c).copied().unwrap_or(0));
    assert!((40.0..=48.0).contains(&p("ON")), "ON {}", p("ON"));
    assert!((13.0..=17.0).contains(&p("BC")), "BC {}", p("BC"));
    assert!((10.0..=14.0).contains(&p("QC")), "QC {}", p("QC"));
    assert!((9.0..=13.0).contains(&p("AB")), "AB {}", p("AB"));
    for small in ["YT", "NT", "NU", "XX"] {
        assert!(p(small) > 0.0 && p(small) < 0.5, "{small} {}", p(small));
    }
    assert_eq!(prov.len(), 14, "all provinces appear");

    let countries = count(2);
    let mut by_size: Vec<u64> = countries.values().copied().collect();
    by_size.sort_unstable_by(|a, b| b.cmp(a));
    assert!(pct(by_size[0]) > 5.0, "top country {}", pct(by_size[0]));
    assert!(
        countries.len() >= 150,
        "{} distinct countries",
        countries.len()
    );
    // Heavy tail: the top ten hold most admissions, the median country few.
    assert!(pct(by_size[..10].iter().sum()) > 50.0);
    assert!(pct(by_size[by_size.len() / 2]) < 0.2);

    let categories = builtin("immigration_categories").unwrap();
    let mut class = BTreeMap::<String, u64>::new();
    for (code, n) in count(4) {
        *class
            .entry(categories.get(&code).unwrap().parent.clone().unwrap())
            .or_insert(0) += n;
    }
    let c = |k: &str| pct(class[k]);
    assert!((55.0..=61.0).contains(&c("ECO")), "ECO {}", c("ECO"));
    assert!((21.0..=27.0).contains(&c("FAM")), "FAM {}", c("FAM"));
    assert!((11.0..=15.0).contains(&c("REF")), "REF {}", c("REF"));
    assert!((4.0..=6.0).contains(&c("OTH")), "OTH {}", c("OTH"));

    let ages: Vec<u32> = data.iter().map(|r| r[5].parse().unwrap()).collect();
    let band =
        |lo: u32, hi: u32| pct(ages.iter().filter(|&&a| (lo..=hi).contains(&a)).count() as u64);
    assert!((15.0..=21.0).contains(&band(0, 14)), "0-14 {}", band(0, 14));
    assert!(band(25, 44) > 45.0, "25-44 {}", band(25, 44));
    assert!(band(65, 100) < 5.0, "65+ {}", band(65, 100));
    assert!(band(90, 100) > 0.0, "some very old");

    let g = count(6);
    assert!((49.0..=51.0).contains(&pct(g["F"])));
    assert!((48.9..=50.9).contains(&pct(g["M"])));
    assert!(pct(g["X"]) > 0.0 && pct(g["X"]) < 0.3);

    let dates = count(1);
    assert_eq!(dates.len(), 1096, "every day of 2023-2025 appears");
    assert!(dates.contains_key("2024-02-29"));
    let month_total = |m: &str| -> u64 {
        dates
            .iter()
            .filter(|(d, _)| &d[5..7] == m)
            .map(|(_, n)| n)
            .sum()
    };
    assert!(
        month_total("08") * 28 > month_total("02") * 31 * 12 / 10,
        "summer busier than February"
    );
}

#[test]
fn parquet_is_deterministic_and_holds_the_csv_rows() {
    let dir = TestDir::new("parquet");
    let a = write(5000, 42, &dir.path("a.parquet"));
    let b = write(5000, 42, &dir.path("b.parquet"));
    assert_eq!(a, b, "same seed, same bytes");
    let c = write(5000, 43, &dir.path("c.parquet"));
    assert_ne!(a, c, "different seed, different bytes");
    let csv = check_csv(&write(5000, 42, &dir.path("a.csv")), 5000);

    let df = ParquetReader::new(fs::File::open(dir.path("a.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 5000);
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, COLUMNS);
    for (i, name) in COLUMNS.iter().enumerate() {
        let col = df.column(name).unwrap();
        if *name == "age" {
            assert_eq!(col.dtype(), &DataType::Int32);
            let v: Vec<String> = col
                .i32()
                .unwrap()
                .into_no_null_iter()
                .map(|a| a.to_string())
                .collect();
            assert!(v.iter().zip(&csv).all(|(a, r)| *a == r[i]), "column {name}");
        } else {
            // Dates are Parquet dates; read back as text they are the CSV's.
            let expected = if *name == "admission_date" {
                DataType::Date
            } else {
                DataType::String
            };
            assert_eq!(col.dtype(), &expected, "column {name}");
            let col = col.cast(&DataType::String).unwrap();
            let v: Vec<&str> = col
                .str()
                .unwrap()
                .iter()
                .map(|s| s.expect("no nulls"))
                .collect();
            assert_eq!(v.len(), csv.len());
            assert!(v.iter().zip(&csv).all(|(a, r)| *a == r[i]), "column {name}");
        }
    }

    // Several chunks (row groups) and progress reports.
    let mut seen = Vec::new();
    write_admissions_chunked(
        &AdmissionsOptions {
            rows: 5000,
            seed: 42,
        },
        &dir.path("d.parquet"),
        2000,
        false,
        &mut |n| seen.push(n),
    )
    .unwrap();
    assert_eq!(seen, [2000, 4000, 5000]);
    let d = ParquetReader::new(fs::File::open(dir.path("d.parquet")).unwrap())
        .finish()
        .unwrap();
    assert!(d.equals(&df), "same rows whatever the row groups");

    // Zero rows: a valid file with the schema.
    write(0, 1, &dir.path("e.parquet"));
    let e = ParquetReader::new(fs::File::open(dir.path("e.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!((e.height(), e.width()), (0, 7));

    assert_eq!(
        dir.entries(),
        [
            "a.csv",
            "a.parquet",
            "b.parquet",
            "c.parquet",
            "d.parquet",
            "e.parquet"
        ]
    );
}

#[test]
fn unknown_extension_is_refused_and_writes_nothing() {
    let dir = TestDir::new("badext");
    for name in ["x.txt", "x", "x.csv.gz"] {
        let path = dir.path(name);
        let err = write_admissions(&AdmissionsOptions { rows: 10, seed: 1 }, &path, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(err, TestdataError::UnknownFormat { .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(".csv") && msg.contains(".parquet"), "{msg}");
    }
    assert!(dir.entries().is_empty());
}

#[test]
fn failed_writes_leave_no_file() {
    let dir = TestDir::new("fail");
    let opts = AdmissionsOptions {
        rows: 3000,
        seed: 1,
    };

    // Missing directory: nothing can be created.
    let path = dir.path("missing/x.csv");
    let err = write_admissions(&opts, &path, &mut |_| {}).unwrap_err();
    assert!(matches!(err, TestdataError::Io { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("temporary file"),
        "{msg}"
    );
    assert!(std::error::Error::source(&err).is_some());

    // The final rename fails (the target is a directory) after all data was
    // written: the temporary file must go.
    for name in ["taken.csv", "taken.parquet"] {
        fs::create_dir(dir.path(name)).unwrap();
        let err = write_admissions(&opts, &dir.path(name), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("rename"), "{err}");
    }
    assert_eq!(dir.entries(), ["taken.csv", "taken.parquet"]);

    // Interrupted mid-way (a panic in the progress callback, after a chunk).
    for name in ["y.csv", "y.parquet"] {
        let path = dir.path(name);
        let r = std::panic::catch_unwind(|| {
            write_admissions_chunked(&opts, &path, 1000, false, &mut |n| {
                assert!(n < 2000, "stop")
            })
        });
        assert!(r.is_err());
    }
    assert_eq!(dir.entries(), ["taken.csv", "taken.parquet"]);

    // An existing file is replaced only on success.
    fs::write(dir.path("z.csv"), b"old").unwrap();
    let err = write_admissions(
        &AdmissionsOptions {
            rows: MAX_ROWS + 1,
            seed: 1,
        },
        &dir.path("z.csv"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, TestdataError::TooManyRows { .. }), "{err}");
    assert_eq!(fs::read(dir.path("z.csv")).unwrap(), b"old");
    write(10, 1, &dir.path("z.csv"));
    check_csv(&fs::read(dir.path("z.csv")).unwrap(), 10);
}

#[test]
fn record_ids_carry() {
    let mut id = RecordId::new(*b"PR");
    for _ in 0..9 {
        id.advance();
    }
    assert_eq!(id.advance(), "PR0000000010");
    assert_eq!(id.as_str(), "PR0000000010");
    let mut id = RecordId(*b"TR0000099999");
    assert_eq!(id.advance(), "TR0000100000");
}

#[test]
fn model_builds_from_the_builtin_codelists() {
    let m = model::Model::new().unwrap();
    assert_eq!(m.dates.len(), 1096);
    assert_eq!(&m.dates[0], b"2023-01-01");
    assert_eq!(&m.dates[1095], b"2025-12-31");
    let w = model::age_weights();
    assert!(w.iter().all(|&x| x > 0));
}

/// Writes the bundled sample `testdata/pr_admissions.csv` (200,000 rows,
/// seed 20261129). Run with `cargo test -p discreet-testdata -- --ignored`.
#[test]
#[ignore]
fn regenerate_bundled_sample() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pr_admissions.csv");
    write_admissions(
        &AdmissionsOptions {
            rows: 200_000,
            seed: 20261129,
        },
        &path,
        &mut |_| {},
    )
    .unwrap();
    check_csv(&fs::read(&path).unwrap(), 200_000);
}

/// Prints how fast `write_chunked` writes a million rows (or
/// `DISCREET_BENCH_ROWS`) as CSV and as Parquet.
pub(crate) fn print_throughput(dir: &str, write_chunked: WriteChunked) {
    let rows = std::env::var("DISCREET_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000u64);
    let dir = TestDir::new(dir);
    for name in ["x.csv", "x.parquet"] {
        let t = std::time::Instant::now();
        write_chunked(rows, 1, &dir.path(name), CHUNK_ROWS, &mut |_| {}).unwrap();
        let s = t.elapsed().as_secs_f64();
        let size = fs::metadata(dir.path(name)).unwrap().len();
        println!(
            "{name}: {rows} rows in {s:.2} s = {:.2} M rows/s, {size} bytes",
            rows as f64 / s / 1e6
        );
    }
}

/// Throughput of the admissions; run with
/// `cargo test --release -p discreet-testdata -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput() {
    print_throughput("throughput", admissions_chunked);
}

#[test]
fn guided_draws_equal_binary_search() {
    use rand::RngCore;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let tables = [
        model::Table::new([1, 0, 0, 5, 1_000_000, 0, 3]).unwrap(),
        model::Table::new([7]).unwrap(),
        model::Table::new([0, 0, 9]).unwrap(),
        model::Table::new(model::age_weights()).unwrap(),
        model::Table::new((1..=1000u64).map(|i| i * i % 97)).unwrap(),
        model::Table::new([u64::MAX / 2, u64::MAX / 2]).unwrap(),
    ];
    assert!(model::Table::new([0, 0]).is_none());
    assert!(model::Table::new([u64::MAX, 1]).is_none());
    for t in &tables {
        for r in [0, 1, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1] {
            assert_eq!(t.index(r), t.index_by_search(r), "r = {r}");
        }
        for _ in 0..100_000 {
            let r = rng.next_u64();
            assert_eq!(t.index(r), t.index_by_search(r), "r = {r}");
        }
    }
    // Zero weights are never drawn.
    let t = &tables[0];
    assert!((0..100_000).all(|_| ![1, 2, 5].contains(&t.sample(&mut rng))));
}

/// With country names the rows are the same draws, the country column
/// holding IRCC's English name of the code (quoted where it holds a comma).
#[test]
fn country_names_replace_codes_row_for_row() {
    let dir = TestDir::new("country-names");
    let codes = write(2000, 9, &dir.path("codes.csv"));
    let named = dir.path("names.csv");
    let opts = AdmissionsOptions {
        rows: 2000,
        seed: 9,
    };
    write_admissions_with_country_names(&opts, &named, &mut |_| {}).unwrap();
    let countries = crate::model::codelist("countries").unwrap();
    let read = |bytes: &[u8]| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let (a, b) = (read(&codes), read(&fs::read(&named).unwrap()));
    assert_eq!(a.len(), b.len());
    let mut quoted = false;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(countries.get(&x[2]).unwrap().label.en, &y[2]);
        quoted |= y[2].contains(',');
        for i in [0, 1, 3, 4, 5, 6] {
            assert_eq!(x[i], y[i]);
        }
    }
    assert!(quoted, "some IRCC names hold a comma");
}
