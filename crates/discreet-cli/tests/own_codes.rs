//! Codelists and recodes a spec brings, through the binary: nested lists
//! of any depth publish every level and audit clean under each method;
//! recodes count as the recoded microdata would; every bad codelist or
//! recode file gets exit 2, its file, line and column, and no release.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const CITIZENSHIP: &str = include_str!("../../../pipelines/pr_citizenship_month.toml");
const COUNTRY_COLUMN: &str =
    "country_of_citizenship = { type = \"code\", codelist = \"countries\" }";

/// The citizenship spec in `dir` with the country column declared by
/// `column` (keys after `type = "code", `), `dimension` lines added to the
/// country dimension and `extra` appended; returns its path.
fn write_spec(dir: &Path, column: &str, dimension: &str, extra: &str) -> PathBuf {
    assert!(CITIZENSHIP.contains(COUNTRY_COLUMN));
    let text = CITIZENSHIP
        .replace(
            COUNTRY_COLUMN,
            &format!("country_of_citizenship = {{ type = \"code\", {column} }}"),
        )
        .replace(
            "[dimensions.country]\n",
            &format!("[dimensions.country]\n{dimension}"),
        )
        + "\n"
        + extra;
    let path = dir.join("spec.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The built-in countries grouped to depth 4: all -> groups of about
/// twelve countries -> groups of about four -> country. No group has a
/// single member (a group equal to its only member is a cell twice; the
/// secondary-suppression methods do not handle such copies).
fn nested_countries() -> String {
    let countries = discreet_spec::builtin("countries").unwrap();
    let codes: Vec<_> = countries.entries.iter().collect();
    let mut out = String::from("code,en,fr,parent\nALL,All,Tous,\n");
    let small = chunks(codes.len(), 4);
    for (j, big) in chunks(small.len(), 3).iter().enumerate() {
        out += &format!("g_{j},Group {j},Groupe {j},ALL\n");
        for &k in big {
            out += &format!("h_{k},Group {j}.{k},Groupe {j}.{k},g_{j}\n");
            for &i in &small[k] {
                let e = codes[i];
                out += &format!("{},\"{}\",\"{}\",h_{k}\n", e.code, e.label.en, e.label.fr);
            }
        }
    }
    out
}

/// `0..n` in runs of `k`, the last run merged into the one before when it
/// would hold a single item.
fn chunks(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = (0..n)
        .collect::<Vec<_>>()
        .chunks(k)
        .map(<[usize]>::to_vec)
        .collect();
    if out.len() > 1 && out.last().is_some_and(|c| c.len() == 1) {
        let last = out.pop().unwrap();
        out.last_mut().unwrap().extend(last);
    }
    out
}

const WORLD: &str = "[codelists.world]\npath = \"lists/world.csv\"\n";

fn write_list(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir.join("lists")).unwrap();
    std::fs::write(dir.join("lists").join(name), bytes).unwrap();
}

#[test]
fn a_depth_four_codelist_publishes_every_level_and_audits_clean() {
    let tmp = tempfile::tempdir().unwrap();
    write_list(tmp.path(), "world.csv", nested_countries().as_bytes());
    let input = testdata(tmp.path(), "in.csv", 20_000, 5);
    for kind in ["ircc", "threshold", "hypercube"] {
        let spec = write_spec(
            tmp.path(),
            "codelist = \"world\"",
            "subtotals = true\n",
            WORLD,
        );
        let text = std::fs::read_to_string(&spec).unwrap();
        let text = match kind {
            "ircc" => text,
            _ => text
                .replace("kind = \"ircc\"", &format!("kind = \"{kind}\""))
                .replace("rounding_base = 5\n", "")
                .replace("zero = \"0\"", "zero = \"--\""),
        };
        std::fs::write(&spec, text).unwrap();
        let out = tmp.path().join(format!("release-{kind}"));
        let o = run(&spec, &input, &out);
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
        let rows = read_csv(&out.join("pr_citizenship_month.csv"));
        for level in ["ALL", "g_0", "h_0", "AFG"] {
            assert!(
                rows.iter()
                    .any(|r| r["country"] == level && r["period"] == "TOTAL"),
                "{kind}: no row for {level}"
            );
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["codes"][0]["file"], "codes-world.csv");
        assert_eq!(manifest["codes"][0]["source"], "lists/world.csv");
        assert!(out.join("codes-world.csv").is_file());
        // The plain rule leaks through margins (the audit says so); the
        // secondary-suppression methods must not, at any level.
        if kind != "ircc" {
            let a = discreet(["audit".as_ref(), out.as_os_str()]);
            assert_eq!(code(&a), 0, "{kind}: {}", stderr(&a));
        }
        // verify recomputes with the release's own copy of the codelist,
        // even once the spec's file is gone.
        std::fs::rename(tmp.path().join("lists"), tmp.path().join("gone")).unwrap();
        let v = verify(&out, &input);
        assert_eq!(code(&v), 0, "{kind}: {}", stderr(&v));
        std::fs::rename(tmp.path().join("gone"), tmp.path().join("lists")).unwrap();
    }
}

/// Runs `spec` on a small valid input and checks it fails with exit 2,
/// every part of `must_contain` in its message, and no release.
fn refused(spec: &Path, must_contain: &[&str]) {
    let dir = spec.parent().unwrap();
    let input = write_admissions(dir, "in.csv", &["R1,2024-01-15,AFG,ON,FSW,30,F"]);
    let out = dir.join("release");
    let o = run(spec, &input, &out);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    for m in must_contain {
        assert!(err.contains(m), "expected `{m}` in: {err}");
    }
    assert!(!out.exists(), "a refused run left a release");
}

/// A bad codelist file is refused with its file, line and column.
fn bad_list(bytes: &[u8], must_contain: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    write_list(tmp.path(), "world.csv", bytes);
    let spec = write_spec(
        tmp.path(),
        "codelist = \"world\"",
        "subtotals = true\n",
        WORLD,
    );
    let mut all = vec!["world.csv"];
    all.extend(must_contain);
    refused(&spec, &all);
}

#[test]
fn a_duplicate_code() {
    bad_list(
        b"code,en,fr,parent\nAM,Americas,Ameriques,\nAFG,Afghanistan,Afghanistan,AM\nAFG,Again,Encore,AM\n",
        &["line 4, column 1 (`code`)", "`AFG` appears twice"],
    );
}

#[test]
fn a_parent_that_does_not_exist() {
    bad_list(
        b"code,en,fr,parent\nAM,Americas,Ameriques,\nAFG,Afghanistan,Afghanistan,ASIA\n",
        &["line 3, column 4 (`parent`)", "`ASIA`"],
    );
}

#[test]
fn a_cycle_of_parents() {
    bad_list(
        b"code,en,fr,parent\nAFG,Afghanistan,Afghanistan,B\nA,A,A,B\nB,B,B,A\n",
        &["line 2, column 4 (`parent`)", "cycle"],
    );
}

#[test]
fn an_empty_english_label() {
    bad_list(
        b"code,en,fr,parent\nAFG,,Afghanistan,\n",
        &["line 2, column 2 (`en`)", "`AFG`"],
    );
}

#[test]
fn an_empty_french_label() {
    bad_list(
        b"code,en,fr,parent\nAFG,Afghanistan,  ,\n",
        &["line 2, column 3 (`fr`)", "`AFG`"],
    );
}

#[test]
fn a_codelist_that_is_not_utf8() {
    bad_list(
        b"code,en,fr,parent\nAFG,Afghanistan,Afghanistan,\nCIV,C\xf4te d'Ivoire,C\xf4te d'Ivoire,\n",
        &["line 3, column 6", "UTF-8"],
    );
}

/// A bad recode file is refused with its file, line and column.
fn bad_recode(recode: &str, must_contain: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    write_list(tmp.path(), "world.csv", nested_countries().as_bytes());
    write_list(tmp.path(), "names.csv", recode.as_bytes());
    let spec = write_spec(
        tmp.path(),
        "codelist = \"world\", recode = \"lists/names.csv\"",
        "",
        WORLD,
    );
    let mut all = vec!["names.csv"];
    all.extend(must_contain);
    refused(&spec, &all);
}

#[test]
fn a_recode_to_a_group() {
    bad_recode(
        "from,to\nAfghanistan,AFG\nAmericas,g_0\n",
        &["line 3, column 2 (`to`)", "`g_0` is a group"],
    );
}

#[test]
fn a_recode_to_a_code_outside_the_codelist() {
    bad_recode(
        "from,to\nAfghanistan,AFG\nAtlantis,ATL\n",
        &[
            "line 3, column 2 (`to`)",
            "`ATL` is not a code of codelist `world`",
        ],
    );
}

#[test]
fn an_inline_recode_to_a_code_outside_the_codelist() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "codelist = \"countries\", recode = { \"Not stated\" = \"NS\" }",
        "",
        "",
    );
    refused(
        &spec,
        &["`NS` is not a code of codelist `countries`", "recode"],
    );
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A small deterministic generator (the tests must not depend on a
/// random-number crate).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Recoding then counting equals counting the microdata recoded
/// independently, on random many-to-one recode maps whose unmatched values
/// go to one code; the run summary counts the rows sent there.
#[test]
fn recoding_then_counting_equals_counting_recoded_microdata() {
    let targets = ["AFG", "FRA", "IND", "CHN", "USA", "MEX"];
    for seed in 1..=6u64 {
        let mut rng = Lcg(seed);
        let tmp = tempfile::tempdir().unwrap();
        let raw_values: Vec<String> = (0..12).map(|i| format!("  value {i} ")).collect();
        // Some raw values have no entry: they are unmatched.
        let map: Vec<Option<&str>> = raw_values
            .iter()
            .map(|_| (rng.next(4) > 0).then(|| targets[rng.next(targets.len() as u64) as usize]))
            .collect();
        let mut recode = String::from("from,to\n");
        for (v, t) in raw_values.iter().zip(&map) {
            if let Some(t) = t {
                // Keys as they read after `trim` and `case = "upper"`.
                recode += &format!("{},{t}\n", v.trim().to_uppercase());
            }
        }
        write_list(tmp.path(), "names.csv", recode.as_bytes());
        let (mut raw_rows, mut coded_rows, mut unmatched) = (Vec::new(), Vec::new(), 0);
        for i in 0..400 {
            let k = rng.next(raw_values.len() as u64) as usize;
            let month = 1 + rng.next(12);
            let raw = &raw_values[k];
            let code = map[k].unwrap_or("XXX");
            unmatched += usize::from(map[k].is_none());
            let raw = if i % 2 == 0 {
                raw.to_lowercase()
            } else {
                raw.clone()
            };
            raw_rows.push(format!("R{i},2024-{month:02}-15,\"{raw}\",ON,FSW,30,F"));
            coded_rows.push(format!("R{i},2024-{month:02}-15,{code},ON,FSW,30,F"));
        }
        let raw_in = write_admissions(tmp.path(), "raw.csv", &refs(&raw_rows));
        let coded_in = write_admissions(tmp.path(), "coded.csv", &refs(&coded_rows));

        let spec = write_spec(
            tmp.path(),
            "codelist = \"countries\", recode = \"lists/names.csv\", trim = true, case = \"upper\", unmatched = \"XXX\"",
            "",
            "",
        );
        let recoded = tmp.path().join("recoded");
        let o = run(&spec, &raw_in, &recoded);
        assert_eq!(code(&o), 0, "seed {seed}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{unmatched} rows held no code and went to `XXX`")),
            "seed {seed}: {}",
            stderr(&o)
        );
        let plain_spec = tmp.path().join("plain.toml");
        std::fs::write(&plain_spec, CITIZENSHIP).unwrap();
        let plain = tmp.path().join("plain");
        let o = run(&plain_spec, &coded_in, &plain);
        assert_eq!(code(&o), 0, "seed {seed}: {}", stderr(&o));
        let table = "pr_citizenship_month.csv";
        assert_eq!(
            std::fs::read(recoded.join(table)).unwrap(),
            std::fs::read(plain.join(table)).unwrap(),
            "seed {seed}"
        );
        let v = verify(&recoded, &raw_in);
        assert_eq!(code(&v), 0, "seed {seed}: {}", stderr(&v));
    }
}

#[test]
fn unmatched_values_are_refused_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "codelist = \"countries\", recode = { \"Afghanistan\" = \"AFG\" }",
        "",
        "",
    );
    let input = write_admissions(
        tmp.path(),
        "in.csv",
        &[
            "R1,2024-01-15,Afghanistan,ON,FSW,30,F",
            "R2,2024-01-15,Atlantis,ON,FSW,30,F",
        ],
    );
    let out = tmp.path().join("release");
    let o = run(&spec, &input, &out);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("line 3") && err.contains("Atlantis"), "{err}");
    assert!(!out.exists());
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn codelists_lists_the_builtin_lists_and_prints_one_to_start_from() {
    let o = discreet(["codelists"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listing = stdout(&o);
    assert!(
        listing
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["immigration_categories", "20", "4", "2"]),
        "{listing}"
    );
    let o = discreet(["codelists", "--csv"]);
    assert!(stdout(&o).contains("countries,200,0,1\n"), "{}", stdout(&o));

    // The printed list is a codelist file a spec can bring as its own.
    let tmp = tempfile::tempdir().unwrap();
    let o = discreet(["codelists", "immigration_categories", "--csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.starts_with("code,en,fr,parent\nECO,Economic,"), "{csv}");
    assert!(csv.contains("\nFSW,Skilled Worker (Federal),Travailleur qualifié (fédéral),ECO\n"));
    write_list(tmp.path(), "world.csv", nested_countries().as_bytes());
    let spec = write_spec(
        tmp.path(),
        "codelist = \"world\"",
        "subtotals = true\n",
        WORLD,
    );
    let o = discreet(["codelists".as_ref(), "--spec".as_ref(), spec.as_os_str()]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["world", "200", "68", "4"]),
        "{}",
        stdout(&o)
    );
    let o = discreet([
        "codelists".as_ref(),
        "world".as_ref(),
        "--spec".as_ref(),
        spec.as_os_str(),
    ]);
    assert!(
        stdout(&o).starts_with("ALL  All / Tous\n  g_0  Group 0 / Groupe 0\n    h_0 "),
        "{}",
        stdout(&o)
    );

    let o = discreet(["codelists", "regions"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown codelist `regions`"));
}
