use super::groups::GroupSet;
use super::*;

fn check(text: &str) -> Result<(), (u64, String)> {
    let mut c = RecordCounter::new(b',');
    c.feed(text.as_bytes())?;
    c.finish()
}

#[test]
fn well_formed_records() {
    assert!(check("a,b,c\n1,2,3\n").is_ok());
    assert!(check("a,b,c\r\n1,2,3\r\n4,5,6").is_ok());
    assert!(check("a,b,c\n\"x,y\",\"he said \"\"hi\"\"\",3\n").is_ok());
    assert!(check("a,b,c\n\"multi\nline\",2,3\n4,5,6\n").is_ok());
    assert!(
        check("a,b,c\n1,2,3\n\n").is_ok(),
        "blank lines are not records"
    );
    assert!(check("a,b,c\n,,\n").is_ok(), "empty fields still count");
}

#[test]
fn ragged_and_unclosed_records_are_located() {
    assert_eq!(check("a,b,c\n1,2,3\n1,2,3,4\n").unwrap_err().0, 3);
    assert_eq!(
        check("a,b,c\n1,2\n").unwrap_err(),
        (2, "3 fields like the header, found 2".into())
    );
    assert_eq!(check("a,b,c\n\"multi\nline\",2,3\n4,5\n").unwrap_err().0, 4);
    assert_eq!(check("a,b,c\n1,\"2,3\n4,5,6\n").unwrap_err().0, 2);
}

fn key_check(text: &str, key: &str) -> Option<KeyCheck> {
    let dir = tempfile_path(text);
    let pass = RecordPass {
        key: Some(key),
        ..RecordPass::default()
    };
    let d = digest(&dir, "t.csv", b',', &pass).unwrap();
    let _ = std::fs::remove_file(&dir);
    d.key
}

fn repeats(text: &str, key: &str) -> Option<bool> {
    key_check(text, key).map(|k| k.may_repeat)
}

/// A new file holding `text`, in the temporary folder.
pub(crate) fn tempfile_path(text: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = std::env::temp_dir().join(format!(
        "discreet-digest-{}-{}.csv",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn key_repeats_are_seen_through_quotes_and_empty_values_are_not_repeats() {
    assert_eq!(repeats("id,x\na,1\nb,2\n", "id"), Some(false));
    assert_eq!(repeats("x,id\r\n1,a\r\n2,a\r\n", "id"), Some(true));
    // Quoting does not change the value.
    assert_eq!(repeats("id,x\n\"a\",1\na,2\n", "id"), Some(true));
    assert_eq!(repeats("id,x\n\"a\"\"b\",1\n\"a\",2\n", "id"), Some(false));
    assert_eq!(repeats("id,x\n\"a,b\",1\na,2\n", "id"), Some(false));
    assert_eq!(repeats("id,x\n,1\n,2\nz,3\n", "id"), Some(false));
    assert_eq!(
        key_check("id,x\n,1\nz,3\n", "id").map(|k| k.has_empty),
        Some(true)
    );
    assert_eq!(
        key_check("id,x\ny,1\nz,3\n", "id").map(|k| k.has_empty),
        Some(false)
    );
    // The last field of a file without a final newline counts too.
    assert_eq!(repeats("x,id\n1,q\n2,q", "id"), Some(true));
    assert_eq!(repeats("x,y\n1,q\n", "id"), None);
}

fn groups(
    text: &[u8],
    sets: &[(Vec<String>, RowFilter)],
    weight: Option<&str>,
) -> Result<Vec<Groups>, IngestError> {
    let path = tempfile_path("");
    std::fs::write(&path, text).unwrap();
    let pass = RecordPass {
        key: Some("id"),
        sets,
        weight,
        ..RecordPass::default()
    };
    let d = digest(&path, "t.csv", b',', &pass);
    let _ = std::fs::remove_file(&path);
    d.map(|d| d.groups)
}

fn set(cols: &[&str]) -> (Vec<String>, RowFilter) {
    (cols.iter().map(|c| c.to_string()).collect(), Vec::new())
}

/// Groups as (values joined with `|`, `~` for empty, count), in order.
fn flat(g: &Groups) -> Vec<(String, u64)> {
    (0..g.len())
        .map(|i| {
            let key: Vec<&str> = g
                .keys
                .iter()
                .map(|k| k[i].as_deref().unwrap_or("~"))
                .collect();
            (key.join("|"), g.counts[i])
        })
        .collect()
}

#[test]
fn groups_count_rows_per_combination_of_values() {
    let text = b"id,prov,age,kind\r\n1,ON,30,a\r\n2,\"QC\",,b\r\n3,ON,\"3\"\"0\",a\n4,,30,a\n5,PROVINCE-CODE-OF-20,30,b\n6,ON,30,b\n";
    let s = |a: &str, n: u64| (a.to_string(), n);
    let filtered = (
        vec!["prov".to_string()],
        vec![("kind".to_string(), vec!["a".to_string()])],
    );
    let g = groups(
        text,
        &[
            set(&["age"]),
            set(&["prov", "age"]),
            filtered,
            set(&["a", "b", "c", "d", "e"].map(|_| "kind")),
        ],
        None,
    )
    .unwrap();
    assert_eq!(g[0].columns, vec!["age"]);
    assert_eq!(
        flat(&g[0]),
        vec![s("~", 1), s("3\"0", 1), s("30", 4)],
        "quotes removed, empty fields are None, sorted"
    );
    assert_eq!(
        flat(&g[1]),
        vec![
            s("~|30", 1),
            s("ON|3\"0", 1),
            s("ON|30", 2),
            s("PROVINCE-CODE-OF-20|30", 1),
            s("QC|~", 1)
        ]
    );
    // Only rows of kind a.
    assert_eq!(flat(&g[2]), vec![s("~", 1), s("ON", 2)]);
    // A key of more than four columns.
    assert_eq!(flat(&g[3]), vec![s("a|a|a|a|a", 3), s("b|b|b|b|b", 3)]);
}

#[test]
fn weights_are_summed_and_bad_bytes_located() {
    let text = b"id,prov,n\n1,ON,3\n2,ON,4\n3,QC,x\n4,QC,-2\n5,NB,7\n";
    let g = groups(text, &[set(&["prov"]), set(&["n"])], Some("n")).unwrap();
    let s = |a: &str, n: u64| (a.to_string(), n);
    // A value that is not an integer weighs nothing; a negative sum is
    // 0 (the caller refuses both values anyway).
    assert_eq!(flat(&g[0]), vec![s("NB", 7), s("ON", 7), s("QC", 0)]);
    assert_eq!(g[1].keys[0].len(), 5);
    // Values are bytes until the end: a non-UTF-8 one is located.
    let e = groups(b"id,prov\n1,ON\n2,Q\xe9\n", &[set(&["prov"])], None).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("prov")));
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn empty_values_are_seen_quoted_or_not_whatever_else_reads_the_column() {
    let text = "id,a,b,c,d\n1,x,,y,k\n2,\"\",z,\"\",\"m\"\r\n3,q,z,,n\n";
    let sets = [set(&["b"])];
    let pass = RecordPass {
        key: Some("id"),
        sets: &sets,
        non_empty: &["a", "b", "c", "d", "id", "absent"],
        ..RecordPass::default()
    };
    let path = tempfile_path(text);
    let d = digest(&path, "t.csv", b',', &pass).unwrap();
    let _ = std::fs::remove_file(&path);
    let e = |n: &str, seen: bool| (n.to_string(), seen);
    assert_eq!(
        d.empty,
        vec![
            e("a", true),
            e("b", true),
            e("c", true),
            e("d", false),
            e("id", false)
        ]
    );
}

#[test]
fn distinct_pairs_give_each_identifier_once_per_group() {
    let text = "id,p,a,k\n1,P1,x,s\n2,P1,x,s\n3,P1,y,s\n4,P2,x,s\n5,\"P2\",x,t\n\
                6,LONG-IDENTIFIER-OF-20,y,s\n7,\"LONG-IDENTIFIER-OF-20\",y,s\n";
    let request = DistinctRequest {
        columns: vec!["a".to_string()],
        identifier: "p".to_string(),
        filter: vec![("k".to_string(), vec!["s".to_string()])],
    };
    let pass = RecordPass {
        distinct: std::slice::from_ref(&request),
        non_empty: &["p"],
        ..RecordPass::default()
    };
    let path = tempfile_path(text);
    let d = digest(&path, "t.csv", b',', &pass).unwrap();
    let _ = std::fs::remove_file(&path);
    let found = &d.distinct[0];
    // Row 5 is filtered out; groups in order of appearance.
    let s = |a: &str, n: u64| (a.to_string(), n);
    assert_eq!(flat(&found.groups), vec![s("x", 3), s("y", 3)]);
    // P1 in x and y, P2 in x, the long identifier in y (twice).
    assert_eq!(found.pairs, vec![(0, 0), (0, 1), (1, 0), (2, 1)]);
    assert_eq!(d.empty, vec![("p".to_string(), false)]);
}

#[test]
fn bytes_that_are_not_utf8_are_located_in_any_column() {
    let sets = [set(&["a"])];
    let pass = RecordPass {
        key: Some("id"),
        sets: &sets,
        ..RecordPass::default()
    };
    let bad: [(&[u8], u64, &str); 4] = [
        (b"id,a,z\n1,x,ok\n2\xe9,x,ok\n", 3, "id"),
        (b"id,a,z\n1,x,ok\n\"2\xe9\",x,ok\n", 3, "id"),
        (b"id,a,z\n1,x,ok\n2,x,o\xe9k\n", 3, "z"),
        (b"id,a,z\n1,x,\"o\n\xc3\"\n2,x,ok\n", 2, "z"),
    ];
    for (text, line, column) in bad {
        // Whole lines and byte by byte.
        let e = parts_agree(text, &pass).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(line), Some(column)));
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }
    let good = "id,a,z\n1,x,\"\u{e9}t\u{e9}\"\n\u{e9}2,x,\u{2014}\n";
    assert!(parts_agree(good.as_bytes(), &pass).is_ok());
}

#[test]
fn chunk_boundaries_do_not_matter() {
    let text = "id,a,b\n7,\"x\"\"y\",2\r\n8,4,\"5,6\"\n9,,\"multi\nline\"\n";
    let sets = [set(&["a"]), set(&["a", "b"])];
    let pass = RecordPass {
        key: Some("id"),
        sets: &sets,
        ..RecordPass::default()
    };
    let seen = |split: usize| {
        let mut c = RecordCounter::new(b',').with(&pass);
        c.feed(&text.as_bytes()[..split]).unwrap();
        c.feed(&text.as_bytes()[split..]).unwrap();
        c.finish().unwrap();
        let mut sets: Vec<Vec<(Vec<u32>, i64)>> =
            c.sets.into_iter().map(GroupSet::into_rows).collect();
        sets.iter_mut().for_each(|s| s.sort());
        let mut hashes = c.key.hashes.clone();
        hashes.sort();
        (
            sets,
            c.dicts.iter().map(|d| d.values.clone()).collect::<Vec<_>>(),
            hashes,
            c.line,
        )
    };
    let whole = seen(text.len());
    assert_eq!(
        whole.1,
        vec![
            vec![b"x\"y".to_vec(), b"4".to_vec(), b"".to_vec()],
            vec![b"2".to_vec(), b"5,6".to_vec(), b"multi\nline".to_vec()]
        ]
    );
    assert_eq!(whole.0[1].len(), 3);
    assert_eq!(whole.2.len(), 3);
    for split in 0..text.len() {
        assert_eq!(seen(split), whole, "split at {split}");
    }
}

/// Everything a read gives, comparable: hash, size, key check and
/// groups, or the error.
type Outcome = Result<
    (
        String,
        u64,
        Option<KeyCheck>,
        Vec<Vec<(String, u64)>>,
        Vec<(String, bool)>,
        Vec<(Vec<(String, u64)>, Vec<(u32, u32)>)>,
    ),
    IngestError,
>;

fn read_in_parts(path: &Path, pass: &RecordPass<'_>, parts: usize, piece: usize) -> Outcome {
    let reading = Reading { path, parts, piece };
    digest_by(&reading, "t.csv", b',', pass).map(|d| {
        (
            d.sha256,
            d.bytes,
            d.key,
            d.groups.iter().map(flat).collect(),
            d.empty,
            (d.distinct.iter())
                .map(|p| (flat(&p.groups), p.pairs.clone()))
                .collect(),
        )
    })
}

fn parts_agree(text: &[u8], pass: &RecordPass<'_>) -> Outcome {
    let path = tempfile_path("");
    std::fs::write(&path, text).unwrap();
    // One byte at a time, no line is ever whole in a piece: every byte
    // goes through the state machine, none through the plain-line path.
    let bytewise = read_in_parts(&path, pass, 1, 1);
    for parts in 1..=9 {
        let split = read_in_parts(&path, pass, parts, 1 << 20);
        let text = String::from_utf8_lossy(text);
        assert_eq!(split, bytewise, "{parts} parts of {text:?}");
    }
    let _ = std::fs::remove_file(&path);
    bytewise
}

#[test]
fn a_cut_inside_a_quoted_field_is_read_again_in_order() {
    // Most of the file is one quoted field of many lines, so most cuts
    // fall inside it, where a part read alone finds ragged records.
    let mut text = b"id,a,b\n1,\"".to_vec();
    for i in 0..60 {
        text.extend_from_slice(format!("line {i}, still quoted\n").as_bytes());
    }
    text.extend_from_slice(b"\",x\n2,y,z\n3,y,z\n");
    let sets = [set(&["a"]), set(&["b"])];
    let pass = RecordPass {
        key: Some("id"),
        sets: &sets,
        ..RecordPass::default()
    };
    let (_, _, key, groups, _, _) = parts_agree(&text, &pass).unwrap();
    assert_eq!(key.map(|k| k.may_repeat), Some(false));
    assert_eq!(groups[1], vec![("x".to_string(), 1), ("z".to_string(), 2)]);
    // A fault after the long field is located on its own line.
    text.extend_from_slice(b"4,y\n");
    let e = parts_agree(&text, &pass).unwrap_err();
    assert_eq!(e.line, Some(65));
}

/// The sets of the random cases: `a`, `a` and `b`, and `b` of the rows
/// whose `a` is one of `kept`.
fn random_case_sets(kept: &[&str]) -> [(Vec<String>, RowFilter); 3] {
    let kept = kept.iter().map(|v| v.to_string()).collect();
    [
        set(&["a"]),
        set(&["a", "b"]),
        (vec!["b".to_string()], vec![("a".to_string(), kept)]),
    ]
}

#[test]
fn counting_in_parts_and_by_whole_lines_gives_what_a_byte_by_byte_read_gives() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let sets = random_case_sets(&["p", "q,r"]);
    // Identifiers read as the key, as a captured column, and (`n`,
    // every other case) as an identifier only, long ones included.
    let request = |by: &str, identifier: &str, filter: &RowFilter| DistinctRequest {
        columns: vec![by.to_string()],
        identifier: identifier.to_string(),
        filter: filter.clone(),
    };
    let distinct = [
        request("a", "id", &sets[2].1),
        request("a", "b", &sets[2].1),
        request("b", "n", &Vec::new()),
    ];
    let mut outcomes = [0usize; 2];
    for case in 0..300 {
        let fault = |rng: &mut rand_chacha::ChaCha8Rng| rng.gen_bool(0.01);
        let mut text = b"id,a,b,n\n".to_vec();
        for row in 0..rng.gen_range(0..60) {
            let mut fields = vec![format!("{}", rng.gen_range(0..row + 200))];
            for _ in 0..2 {
                fields.push(match rng.gen_range(0..8) {
                    0 => String::new(),
                    1 => "\"q,r\"".into(),
                    2 => "\"two\nlines\"".into(),
                    3 => "\"say \"\"hi\"\"\"".into(),
                    4 => "p".into(),
                    _ => format!("v{}", rng.gen_range(0..5)),
                });
            }
            fields.push(match rng.gen_range(0..50) {
                0 => String::new(),
                1 => "\"\"".into(),
                2..=6 => format!("identifier-longer-than-15-{}", rng.gen_range(0..3)),
                n => format!("{}", n % 9),
            });
            if fault(&mut rng) {
                fields.pop();
            }
            if fault(&mut rng) {
                fields[1] = "\"unclosed".into();
            }
            text.extend_from_slice(fields.join(",").as_bytes());
            if fault(&mut rng) {
                text.push(0xe9);
            }
            if rng.gen_bool(0.05) {
                text.extend_from_slice(b"\n");
            }
            text.extend_from_slice(if rng.gen_bool(0.3) { b"\r\n" } else { b"\n" });
        }
        if rng.gen_bool(0.2) {
            text.pop();
        }
        // `n` is the weight (a captured value) or an identifier only;
        // `a` is captured, `id` is the key.
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            weight: (case % 2 == 0).then_some("n"),
            non_empty: &["n", "a", "id", "absent"],
            distinct: &distinct,
        };
        outcomes[usize::from(parts_agree(&text, &pass).is_ok())] += 1;
    }
    // Both kinds of outcome were compared.
    assert!(outcomes[0] > 20 && outcomes[1] > 20, "{outcomes:?}");
}

/// Distinct counts that do not depend on the order rows were counted in:
/// per request, its groups sorted, and for each identifier the sorted keys
/// of its groups.
type CanonicalDistinct = Vec<(Vec<(String, u64)>, Vec<Vec<String>>)>;

/// A digest with its distinct counts apart, as [`CanonicalDistinct`].
fn canonical(d: FileDigest) -> (FileDigest, CanonicalDistinct) {
    let distinct = (d.distinct.iter())
        .map(|p| {
            let keys = flat(&p.groups);
            let mut by_person: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
            for &(person, g) in &p.pairs {
                by_person
                    .entry(person)
                    .or_default()
                    .push(keys[g as usize].0.clone());
            }
            let mut persons: Vec<Vec<String>> = (by_person.into_values())
                .map(|mut groups| {
                    groups.sort();
                    groups
                })
                .collect();
            persons.sort();
            let mut keys = keys;
            keys.sort();
            (keys, persons)
        })
        .collect();
    (
        FileDigest {
            distinct: Vec::new(),
            ..d
        },
        distinct,
    )
}

/// Reads a column of the test's rows, for `RowCounter::rows`.
struct TestColumn<'a> {
    rows: &'a [Vec<String>],
    column: usize,
    at: usize,
}

impl super::row_feed::ValueReader for TestColumn<'_> {
    fn next_value(&mut self) -> &[u8] {
        self.at += 1;
        self.rows[self.at - 1][self.column].as_bytes()
    }
}

/// Rows fed by another reader (Parquet's path), in runs of any length
/// split at random between the two counters, columns given as values or
/// (where the counter takes them) as value numbers, count exactly as the
/// same rows read from a CSV.
#[test]
fn rows_fed_to_either_counter_count_as_the_csv_read_does() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let sets = random_case_sets(&["p"]);
    let distinct = [
        DistinctRequest {
            columns: vec!["a".to_string()],
            identifier: "n".to_string(),
            filter: sets[2].1.clone(),
        },
        DistinctRequest {
            columns: vec!["b".to_string(), "a".to_string()],
            identifier: "id".to_string(),
            filter: Vec::new(),
        },
    ];
    let header = ["id", "skip", "a", "b", "n"];
    for case in 0..100 {
        let rows: Vec<Vec<String>> = (0..rng.gen_range(1..80))
            .map(|_| {
                let value = |rng: &mut rand_chacha::ChaCha8Rng| match rng.gen_range(0..9) {
                    0 => String::new(),
                    1 => "p".to_string(),
                    2 => format!("a-value-longer-than-15-bytes-{}", rng.gen_range(0..3)),
                    n => format!("v{}", n % 4),
                };
                vec![
                    format!("{}", rng.gen_range(0..100)),
                    value(&mut rng),
                    value(&mut rng),
                    value(&mut rng),
                    format!("{}", rng.gen_range(0..12)),
                ]
            })
            .collect();
        let mut text = header.join(",") + "\n";
        for row in &rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            weight: (case % 2 == 0).then_some("n"),
            non_empty: &["n", "a", "skip"],
            distinct: &distinct,
        };
        let path = tempfile_path(&text);
        let csv = digest(&path, "t.csv", b',', &pass).map(canonical);
        let fed = digest_rows(&path, "t.csv", &pass, |feed| {
            let at: Vec<usize> = (feed.columns().iter())
                .map(|c| header.iter().position(|h| h == c).unwrap())
                .collect();
            let (first, second) = feed.counters();
            let mut start = 0;
            while start < rows.len() {
                let run = &rows[start..(start + rng.gen_range(1..6)).min(rows.len())];
                start += run.len();
                let counter = if rng.gen_bool(0.5) {
                    &mut *first
                } else {
                    &mut *second
                };
                let mut numbered = Vec::new();
                let mut others = Vec::new();
                for (position, &column) in at.iter().enumerate() {
                    match counter.numbered_slot(position).filter(|_| case % 3 != 0) {
                        Some(slot) => numbered.push((
                            slot,
                            (run.iter().enumerate())
                                .map(|(r, row)| counter.number(slot, r, row[column].as_bytes()))
                                .collect::<Vec<_>>(),
                        )),
                        None => others.push((
                            position,
                            TestColumn {
                                rows: run,
                                column,
                                at: 0,
                            },
                        )),
                    }
                }
                let numbered: Vec<_> = (numbered.iter()).map(|(s, ids)| (*s, &ids[..])).collect();
                counter.rows(run.len(), &numbered, &mut others);
            }
            Ok(())
        })
        .map(canonical);
        let _ = std::fs::remove_file(&path);
        assert!(csv.is_ok(), "case {case}");
        assert_eq!(fed, csv, "case {case}");
    }
}
