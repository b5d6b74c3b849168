//! Tests of the permits data set.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use discreet_spec::builtin;
use polars::prelude::{DataType, ParquetReader, SerReader};

use super::{check_csv_determinism, days_from_civil, parse_date, print_throughput, TestDir};
use crate::permits::{write_permits_chunked, PermitsModel};
use crate::{write_permits, OutputFormat, PermitsOptions, TestdataError, PERMITS_COLUMNS};

const HEADER: &str =
    "permit_id,person_id,effective_date,permit_type,study_level,province,country_of_citizenship";

fn write(rows: u64, seed: u64, path: &Path) -> Vec<u8> {
    write_permits(&PermitsOptions { rows, seed }, path, &mut |_| {}).unwrap();
    fs::read(path).unwrap()
}

/// One data row of a permits file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    permit: String,
    person: String,
    date: String,
    kind: String,
    level: String,
    province: String,
    country: String,
}

impl Row {
    fn is_study(&self) -> bool {
        self.kind == "study"
    }

    fn year(&self) -> &str {
        &self.date[..4]
    }

    fn month(&self) -> &str {
        &self.date[5..7]
    }

    fn quarter(&self) -> usize {
        (self.month().parse::<usize>().unwrap() - 1) / 3
    }
}

/// Checks every value and every per-person rule of a permits CSV file and
/// returns its data rows.
fn check_csv(bytes: &[u8], rows: u64) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with('\n'), "file ends with a newline");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let types = builtin("permit_types").unwrap();
    let levels = builtin("study_levels").unwrap();
    let provinces = builtin("provinces").unwrap();
    let countries = builtin("countries").unwrap();
    let (first, last) = (days_from_civil(2019, 1, 1), days_from_civil(2025, 12, 31));
    let mut out: Vec<Row> = Vec::new();
    let mut persons_seen = BTreeSet::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 7, "line {}: {line}", i + 2);
        assert_eq!(f[0], format!("TR{:010}", i + 1), "permit ids in order");
        assert!(
            f[1].len() == 12
                && f[1].starts_with("PN")
                && f[1][2..].bytes().all(|b| b.is_ascii_digit()),
            "person id {}",
            f[1]
        );
        let day = parse_date(f[2]).unwrap_or_else(|| panic!("bad date {}", f[2]));
        assert!((first..=last).contains(&day), "date out of range: {}", f[2]);
        let kind = types
            .get(f[3])
            .unwrap_or_else(|| panic!("permit type {}", f[3]));
        // A study level exactly for study permits.
        if kind.parent.as_deref() == Some("study_permit") {
            assert!(
                levels.contains(f[4]),
                "line {}: study level `{}`",
                i + 2,
                f[4]
            );
        } else {
            assert_eq!(f[4], "", "line {}: work permit with a study level", i + 2);
        }
        assert!(provinces.contains(f[5]), "province {}", f[5]);
        assert!(countries.contains(f[6]), "country {}", f[6]);
        let row = Row {
            permit: f[0].into(),
            person: f[1].into(),
            date: f[2].into(),
            kind: f[3].into(),
            level: f[4].into(),
            province: f[5].into(),
            country: f[6].into(),
        };
        match out.last() {
            Some(prev) if prev.person == row.person => {
                // The same person: same country, a later month.
                assert_eq!(prev.country, row.country, "line {}: country changed", i + 2);
                assert!(
                    row.date[..7] > prev.date[..7],
                    "line {}: {} not in a month after {}",
                    i + 2,
                    row.date,
                    prev.date
                );
            }
            prev => {
                // A new person, numbered in order of first appearance.
                let expected = prev.map_or(1, |p| p.person[2..].parse::<u64>().unwrap() + 1);
                assert_eq!(row.person, format!("PN{expected:010}"), "line {}", i + 2);
                assert!(persons_seen.insert(row.person.clone()));
            }
        }
        out.push(row);
    }
    assert_eq!(out.len() as u64, rows, "data lines");
    out
}

/// The permits writer, as a [`super::WriteChunked`].
fn permits_chunked(
    rows: u64,
    seed: u64,
    path: &Path,
    chunk_rows: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_permits_chunked(&PermitsOptions { rows, seed }, path, chunk_rows, progress)
}

#[test]
fn permits_csv_is_deterministic_and_independent_of_chunking() {
    check_csv_determinism("permits-det", permits_chunked);
}

#[test]
fn permits_csv_has_exact_header_rows_and_valid_values() {
    let dir = TestDir::new("permits-valid");
    for rows in [0, 1, 2, 5000] {
        let bytes = write(rows, 7, &dir.path("x.csv"));
        check_csv(&bytes, rows);
    }
    let header: Vec<&str> = HEADER.split(',').collect();
    assert_eq!(header, PERMITS_COLUMNS);
}

#[test]
fn permits_shares_are_realistic() {
    let dir = TestDir::new("permits-shares");
    let rows = 200_000u64;
    let data = check_csv(&write(rows, 20261129, &dir.path("x.csv")), rows);
    let pct = |n: usize, of: usize| n as f64 * 100.0 / of as f64;

    // Permit types: about 60% study, 40% work, IMP three in four of work.
    let count = |f: &dyn Fn(&Row) -> bool| data.iter().filter(|r| f(r)).count();
    let study = count(&|r| r.is_study());
    let imp = count(&|r| r.kind == "imp");
    let work = data.len() - study;
    assert!(
        (57.0..=63.0).contains(&pct(study, data.len())),
        "study {}",
        pct(study, data.len())
    );
    assert!(
        (68.0..=80.0).contains(&pct(imp, work)),
        "IMP in work {}",
        pct(imp, work)
    );

    // People: most hold one permit, 25-35% several, at most four.
    let mut by_person: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &data {
        by_person.entry(&r.person).or_default().push(r);
    }
    let persons = by_person.len();
    let multi = by_person.values().filter(|v| v.len() > 1).count();
    assert!(
        (25.0..=35.0).contains(&pct(multi, persons)),
        "multi-permit persons {}",
        pct(multi, persons)
    );
    assert!(by_person.values().all(|v| v.len() <= 4));
    assert!(by_person.values().any(|v| v.len() == 4));
    let both = by_person
        .values()
        .filter(|v| v.iter().any(|r| r.is_study()) && v.iter().any(|r| !r.is_study()))
        .count();
    assert!(
        (2.0..=10.0).contains(&pct(both, persons)),
        "study and work {}",
        pct(both, persons)
    );
    let two_levels = by_person
        .values()
        .filter(|v| {
            v.iter()
                .filter(|r| r.is_study())
                .map(|r| &r.level)
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .count();
    assert!(
        pct(two_levels, persons) > 1.0,
        "two study levels {}",
        pct(two_levels, persons)
    );
    let two_provinces = by_person
        .values()
        .filter(|v| v.iter().map(|r| &r.province).collect::<BTreeSet<_>>().len() > 1)
        .count();
    assert!(
        pct(two_provinces, persons) > 2.0,
        "two provinces {}",
        pct(two_provinces, persons)
    );
    let secondary_then_post = by_person
        .values()
        .filter(|v| {
            let levels: Vec<&str> = v
                .iter()
                .filter(|r| r.is_study())
                .map(|r| r.level.as_str())
                .collect();
            levels
                .windows(2)
                .any(|w| w == ["secondary_or_less", "post_secondary"])
        })
        .count();
    assert!(secondary_then_post > 0);

    // Distinct holders: a year total is a few percent below the sum of its
    // quarters (IRCC's study table: about 3%), a quarter barely below the sum
    // of its months, and over all years holders are well below permits.
    for year in ["2019", "2022", "2024"] {
        let rows: Vec<&Row> = data
            .iter()
            .filter(|r| r.is_study() && r.year() == year)
            .collect();
        let distinct = |f: &dyn Fn(&Row) -> bool| {
            rows.iter()
                .filter(|r| f(r))
                .map(|r| &r.person)
                .collect::<BTreeSet<_>>()
                .len()
        };
        let year_total = distinct(&|_| true);
        let quarters: usize = (0..4).map(|q| distinct(&|r| r.quarter() == q)).sum();
        let months: usize = (1..=12)
            .map(|m| distinct(&|r| r.month() == format!("{m:02}")))
            .sum();
        let q_ratio = quarters as f64 / year_total as f64;
        let m_ratio = months as f64 / quarters as f64;
        assert!(
            (1.015..=1.08).contains(&q_ratio),
            "{year}: quarters / year {q_ratio}"
        );
        assert!(
            (1.0..=1.02).contains(&m_ratio),
            "{year}: months / quarters {m_ratio}"
        );
    }
    let ratio = data.len() as f64 / persons as f64;
    assert!((1.3..=1.6).contains(&ratio), "permits per person {ratio}");
    // Work permit holders in a year: some hold both programs.
    let work_2023: Vec<&Row> = data
        .iter()
        .filter(|r| !r.is_study() && r.year() == "2023")
        .collect();
    let holders = |f: &dyn Fn(&Row) -> bool| {
        work_2023
            .iter()
            .filter(|r| f(r))
            .map(|r| &r.person)
            .collect::<BTreeSet<_>>()
            .len()
    };
    let (tfwp, imp, all) = (
        holders(&|r| r.kind == "tfwp"),
        holders(&|r| r.kind == "imp"),
        holders(&|_| true),
    );
    assert!(
        tfwp + imp > all && all > tfwp.max(imp),
        "{tfwp} + {imp} vs {all}"
    );

    // Provinces of study permits as in IRCC's table; every code appears.
    let study_rows: Vec<&Row> = data.iter().filter(|r| r.is_study()).collect();
    let prov = |code: &str| {
        pct(
            study_rows.iter().filter(|r| r.province == code).count(),
            study_rows.len(),
        )
    };
    assert!((46.0..=55.0).contains(&prov("ON")), "ON {}", prov("ON"));
    assert!((17.0..=23.0).contains(&prov("BC")), "BC {}", prov("BC"));
    assert!((11.0..=15.5).contains(&prov("QC")), "QC {}", prov("QC"));
    assert_eq!(
        data.iter()
            .map(|r| &r.province)
            .collect::<BTreeSet<_>>()
            .len(),
        14
    );
    // TFWP: Quebec and BC ahead of Ontario's study share, Mexico first.
    let tfwp_rows: Vec<&Row> = data.iter().filter(|r| r.kind == "tfwp").collect();
    let mut tfwp_countries: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &tfwp_rows {
        *tfwp_countries.entry(&r.country).or_default() += 1;
    }
    let top = tfwp_countries.iter().max_by_key(|(_, &n)| n).unwrap();
    assert_eq!(*top.0, "MEX");
    assert!(
        (25.0..=50.0).contains(&pct(*top.1, tfwp_rows.len())),
        "MEX {}",
        pct(*top.1, tfwp_rows.len())
    );

    // Study levels as in IRCC's table.
    let level = |code: &str| {
        pct(
            study_rows.iter().filter(|r| r.level == code).count(),
            study_rows.len(),
        )
    };
    assert!(
        (70.0..=82.0).contains(&level("post_secondary")),
        "post {}",
        level("post_secondary")
    );
    assert!(
        (12.0..=20.0).contains(&level("secondary_or_less")),
        "sec {}",
        level("secondary_or_less")
    );
    assert!(
        (5.0..=11.0).contains(&level("other_studies")),
        "other {}",
        level("other_studies")
    );
    assert!(
        level("not_stated") < 0.2,
        "not stated {}",
        level("not_stated")
    );

    // Countries: a heavy tail.
    let mut countries: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &data {
        *countries.entry(&r.country).or_default() += 1;
    }
    let mut by_size: Vec<usize> = countries.values().copied().collect();
    by_size.sort_unstable_by(|a, b| b.cmp(a));
    assert!(countries.len() >= 150, "{} countries", countries.len());
    assert!(pct(by_size[..10].iter().sum(), data.len()) > 50.0);
    assert!(pct(by_size[by_size.len() / 2], data.len()) < 0.2);

    // Dates: every year, study permits peak in August, not in February.
    let years: BTreeSet<&str> = data.iter().map(|r| r.year()).collect();
    assert_eq!(
        years.into_iter().collect::<Vec<_>>(),
        ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    );
    let in_month = |m: &str| study_rows.iter().filter(|r| r.month() == m).count();
    assert!(
        in_month("08") > 3 * in_month("02"),
        "August {} February {}",
        in_month("08"),
        in_month("02")
    );
    assert!(in_month("08") > in_month("09") && in_month("09") > in_month("06"));
    assert!(data.iter().any(|r| r.date == "2024-02-29"));
}

#[test]
fn permits_parquet_is_deterministic_and_holds_the_csv_rows() {
    let dir = TestDir::new("permits-parquet");
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
    assert_eq!(names, PERMITS_COLUMNS);
    let mut values: Vec<Vec<Option<String>>> = Vec::new();
    for name in PERMITS_COLUMNS {
        let col = df.column(name).unwrap();
        // Dates are Parquet dates; read back as text they are the CSV's.
        let expected = if name == "effective_date" {
            DataType::Date
        } else {
            DataType::String
        };
        assert_eq!(col.dtype(), &expected, "column {name}");
        let col = col.cast(&DataType::String).unwrap();
        values.push(
            col.str()
                .unwrap()
                .iter()
                .map(|s| s.map(str::to_string))
                .collect(),
        );
    }
    assert_eq!(
        values[4].iter().filter(|v| v.is_none()).count(),
        csv.iter().filter(|r| !r.is_study()).count()
    );
    for (i, r) in csv.iter().enumerate() {
        let level = (!r.level.is_empty()).then(|| r.level.clone());
        let expected = [
            Some(r.permit.clone()),
            Some(r.person.clone()),
            Some(r.date.clone()),
            Some(r.kind.clone()),
            level,
            Some(r.province.clone()),
            Some(r.country.clone()),
        ];
        for (j, e) in expected.iter().enumerate() {
            assert_eq!(&values[j][i], e, "row {i}, column {}", PERMITS_COLUMNS[j]);
        }
    }

    // Several row groups: the same rows.
    write_permits_chunked(
        &PermitsOptions {
            rows: 5000,
            seed: 42,
        },
        &dir.path("d.parquet"),
        2000,
        &mut |_| {},
    )
    .unwrap();
    let d = ParquetReader::new(fs::File::open(dir.path("d.parquet")).unwrap())
        .finish()
        .unwrap();
    assert!(d.equals_missing(&df), "same rows whatever the row groups");

    // Zero rows: a valid file with the schema.
    write(0, 1, &dir.path("e.parquet"));
    let e = ParquetReader::new(fs::File::open(dir.path("e.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!((e.height(), e.width()), (0, 7));
}

#[test]
fn permits_refuse_unknown_extensions_and_too_many_rows() {
    let dir = TestDir::new("permits-bad");
    let err = write_permits(
        &PermitsOptions { rows: 10, seed: 1 },
        &dir.path("x.txt"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, TestdataError::UnknownFormat { .. }),
        "{err:?}"
    );
    let err = write_permits(
        &PermitsOptions {
            rows: crate::MAX_ROWS + 1,
            seed: 1,
        },
        &dir.path("x.csv"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, TestdataError::TooManyRows { .. }), "{err:?}");
    assert!(dir.entries().is_empty());
    assert_eq!(
        OutputFormat::from_path(Path::new("p.parquet")),
        Some(OutputFormat::Parquet)
    );
}

#[test]
fn permits_model_builds_from_the_builtin_codelists() {
    let m = PermitsModel::new().unwrap();
    // 2017 and 2018 are drawn (people's earlier permits), not written.
    assert_eq!(m.dates.len(), 365 + 365 + 2557);
    assert_eq!(&m.dates[0], b"2017-01-01");
    assert_eq!(m.first_day, 730);
    assert_eq!(&m.dates[730], b"2019-01-01");
    assert_eq!(m.dates.last(), Some(b"2025-12-31"));
    assert_eq!(m.types, ["study", "tfwp", "imp"]);
    assert_eq!(m.levels.len(), 4);
    assert_eq!(m.provinces.len(), 14);
    assert!(m.countries.len() >= 190);
}

/// Throughput of the permits; run with
/// `cargo test --release --workspace -- --ignored --nocapture permits_throughput`.
#[test]
#[ignore]
fn permits_throughput() {
    print_throughput("permits-throughput", permits_chunked);
}
