//! A series folder: every published release of one dataset, one folder
//! each, and `ledger.json`, which lists them in order as a hash chain (each
//! entry holds the hash of the entry before it and its own), so that an
//! entry removed or edited is detected.
//!
//! A run into a series (`discreet run --series DIR`) is checked against the
//! ledger before any work, protected against every release already in it,
//! refused when the combined audit finds anything, and appended to the
//! ledger only once its folder is in place. Earlier releases are never
//! changed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use discreet_publish::{EarlierRelease, PreviousRelease, Revision, SeriesRelease, MANIFEST_FILE};
use discreet_spec::{sha256_hex, Plan};
use discreet_structure::{period_months, DimensionKind};

use crate::audit::ContentSystem;
use crate::error::PipelineError;
use crate::report::Reporter;

/// Name of the ledger in a series folder.
pub const LEDGER_FILE: &str = "ledger.json";
/// Version tag of the ledger format.
const LEDGER_FORMAT: &str = "discreet-ledger/1";

/// `ledger.json`: the series' dataset and its releases, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// [`LEDGER_FORMAT`].
    pub format: String,
    /// The dataset identifier every release of the series publishes under.
    pub dataset_id: String,
    /// The releases, oldest first.
    pub entries: Vec<LedgerEntry>,
}

/// One release of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    /// Release name, also its folder's name in the series folder.
    pub release: String,
    /// Publication date (`YYYY-MM-DD`).
    pub published: String,
    /// Last month the release declares final, if any.
    pub final_through: Option<String>,
    /// SHA-256 of the spec the release was made with.
    pub spec_sha256: String,
    /// The inputs read, by name, with their SHA-256.
    pub inputs: Vec<LedgerInput>,
    /// SHA-256 of the release's `manifest.json`.
    pub manifest_sha256: String,
    /// `entry_sha256` of the entry before this one (none for the first).
    pub previous_entry_sha256: Option<String>,
    /// SHA-256 of this entry's JSON with this field empty.
    pub entry_sha256: String,
}

/// An input of a release, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerInput {
    /// Input name in the spec.
    pub name: String,
    /// SHA-256 of the file read.
    pub sha256: String,
}

impl LedgerEntry {
    /// The hash this entry must carry in `entry_sha256`.
    fn digest(&self) -> String {
        let mut e = self.clone();
        e.entry_sha256 = String::new();
        sha256_hex(&serde_json::to_vec(&e).expect("plain values serialise"))
    }
}

/// What `discreet series` finds in a series folder.
#[derive(Debug, Clone, Default)]
pub struct SeriesCheck {
    /// The ledger, when the folder has one that can be read.
    pub ledger: Option<Ledger>,
    /// Everything wrong, each naming the entry, release or file.
    pub problems: Vec<String>,
}

/// Reads `dir/ledger.json`: `None` when there is none.
fn read_ledger(dir: &Path) -> Result<Option<Ledger>, PipelineError> {
    let path = dir.join(LEDGER_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PipelineError::Series(format!("{}: {e}", path.display()))),
    };
    let ledger: Ledger = serde_json::from_slice(&bytes).map_err(|e| {
        PipelineError::Series(format!(
            "{}: line {}, column {}: not a ledger ({e})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if ledger.format != LEDGER_FORMAT {
        return Err(PipelineError::Series(format!(
            "{}: format `{}`, expected `{LEDGER_FORMAT}`",
            path.display(),
            ledger.format
        )));
    }
    Ok(Some(ledger))
}

/// Checks a series folder: the ledger's chain, every release folder against
/// the ledger and its own manifest, and folders the ledger does not list.
pub fn check_series(dir: &Path) -> Result<SeriesCheck, PipelineError> {
    if !dir.is_dir() {
        return Err(PipelineError::Series(format!(
            "{}: no such series folder",
            dir.display()
        )));
    }
    let ledger = read_ledger(dir)?;
    let mut problems = Vec::new();
    let entries = ledger.as_ref().map_or(&[][..], |l| &l.entries[..]);
    let mut names = BTreeSet::new();
    let mut before: Option<&str> = None;
    for (i, e) in entries.iter().enumerate() {
        let at = format!("{LEDGER_FILE}: entry {} (`{}`)", i + 1, e.release);
        if e.digest() != e.entry_sha256 {
            problems.push(format!(
                "{at}: edited (its entry_sha256 does not match its content)"
            ));
        }
        if e.previous_entry_sha256.as_deref() != before {
            problems.push(format!(
                "{at}: the chain is broken before it (an entry was removed, reordered or edited)"
            ));
        }
        before = Some(&e.entry_sha256);
        if !names.insert(e.release.as_str()) {
            problems.push(format!("{at}: the release is listed twice"));
        }
        let folder = dir.join(&e.release);
        match std::fs::read(folder.join(MANIFEST_FILE)) {
            Err(_) => problems.push(format!(
                "{at}: the release folder {} or its manifest is missing",
                folder.display()
            )),
            Ok(bytes) => {
                if sha256_hex(&bytes) != e.manifest_sha256 {
                    problems.push(format!(
                        "{}/{MANIFEST_FILE}: differs from the ledger's hash (entry {})",
                        e.release,
                        i + 1
                    ));
                }
                let (_, report) = crate::check_manifest(&folder)?;
                for v in report.violations {
                    problems.push(format!("{}/{v}", e.release));
                }
            }
        }
    }
    for entry in std::fs::read_dir(dir)
        .map_err(|e| PipelineError::Series(format!("{}: {e}", dir.display())))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.')
            && entry.path().join(MANIFEST_FILE).is_file()
            && !names.contains(name.as_str())
        {
            problems.push(format!("{name}: a release folder the ledger does not list"));
        }
    }
    problems.sort();
    Ok(SeriesCheck { ledger, problems })
}

/// The last release of the series in `dir` and the ones before it, newest
/// first, as folders: what `discreet audit` of a series folder reads.
pub fn series_releases(dir: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    let ledger = read_ledger(dir)?
        .ok_or_else(|| PipelineError::Series(format!("{}: no {LEDGER_FILE}", dir.display())))?;
    if ledger.entries.is_empty() {
        return Err(PipelineError::Series(format!(
            "{}: the ledger lists no release",
            dir.join(LEDGER_FILE).display()
        )));
    }
    Ok(ledger
        .entries
        .iter()
        .rev()
        .map(|e| dir.join(&e.release))
        .collect())
}

/// A run into a series folder, checked and ready.
pub(crate) struct SeriesRun {
    dir: PathBuf,
    ledger: Ledger,
    /// The release folder to create.
    pub out: PathBuf,
    /// Releases already in the series, newest first.
    pub previous: Vec<PathBuf>,
}

fn refuse(dir: &Path, message: impl std::fmt::Display) -> PipelineError {
    PipelineError::Series(format!("series {}: {message}", dir.display()))
}

/// Checks that the release `plan` describes can join the series in `dir`
/// (created when absent): the folder is sound, the release is new, its
/// final month does not go back, its tables keep every code the last
/// release published, and its dataset is the series'.
pub(crate) fn prepare(plan: &Plan, dir: &Path) -> Result<SeriesRun, PipelineError> {
    // A release name is file-safe (the spec checks it): it names a folder.
    let name = &plan.spec.release.name;
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| refuse(dir, e))?;
    }
    let check = check_series(dir)?;
    if !check.problems.is_empty() {
        return Err(refuse(
            dir,
            format!(
                "the folder does not match its ledger (`discreet series` lists it):\n  {}",
                check.problems.join("\n  ")
            ),
        ));
    }
    let ledger = check.ledger.unwrap_or_else(|| Ledger {
        format: LEDGER_FORMAT.into(),
        dataset_id: discreet_publish::series_dataset_id(plan),
        entries: Vec::new(),
    });
    if let Some(id) = &plan.spec.portal.id {
        if *id != ledger.dataset_id {
            return Err(refuse(
                dir,
                format!(
                    "portal.id `{id}` is not the series' dataset `{}`",
                    ledger.dataset_id
                ),
            ));
        }
    }
    if ledger.entries.iter().any(|e| e.release == *name) {
        return Err(refuse(
            dir,
            format!("release `{name}` is already in the ledger; give the new release its own release.name"),
        ));
    }
    let out = dir.join(name);
    if out.exists() {
        return Err(refuse(
            dir,
            format!(
                "{} exists but the ledger does not list it; remove it first",
                out.display()
            ),
        ));
    }
    if let Some(last) = ledger.entries.last() {
        check_final_through(dir, plan, last)?;
        check_codes_kept(dir, plan, &dir.join(&last.release), &last.release)?;
    }
    let previous = ledger
        .entries
        .iter()
        .rev()
        .map(|e| dir.join(&e.release))
        .collect();
    Ok(SeriesRun {
        dir: dir.to_path_buf(),
        ledger,
        out,
        previous,
    })
}

/// A release may declare more months final than the one before, never fewer.
fn check_final_through(dir: &Path, plan: &Plan, last: &LedgerEntry) -> Result<(), PipelineError> {
    let Some(before) = &last.final_through else {
        return Ok(());
    };
    let month = |m: &str| period_months(m).and_then(|v| v.last().copied());
    let now = plan.spec.release.final_through.as_deref();
    if now.and_then(month) < month(before) {
        return Err(refuse(
            dir,
            format!(
                "release.final_through {} goes back: release `{}` declared {before} final",
                now.map_or("(none)".to_string(), |n| format!("`{n}`")),
                last.release
            ),
        ));
    }
    Ok(())
}

/// Every code a table of the last release published (calendars aside,
/// whose window moves) is still a code of the same table and dimension.
fn check_codes_kept(
    dir: &Path,
    plan: &Plan,
    folder: &Path,
    release: &str,
) -> Result<(), PipelineError> {
    let st = crate::audit::read_structure(folder)?;
    let mut dropped = Vec::new();
    for t in &st.tables {
        let Some(tp) = plan.tables.iter().find(|p| p.name == t.name) else {
            continue;
        };
        for d in &t.dimensions {
            if matches!(d.kind, DimensionKind::Calendar { .. }) {
                continue;
            }
            let Some(h) = tp
                .dimensions
                .iter()
                .position(|n| *n == d.name)
                .map(|_| &plan.dimensions[&d.name].hierarchy)
            else {
                dropped.push(format!(
                    "table `{}` no longer has dimension `{}`",
                    t.name, d.name
                ));
                continue;
            };
            for n in &d.nodes {
                if h.find(&n.code).is_none() {
                    dropped.push(format!(
                        "table `{}`, dimension `{}`: code `{}` is gone",
                        t.name, d.name, n.code
                    ));
                }
            }
        }
    }
    if dropped.is_empty() {
        return Ok(());
    }
    Err(refuse(
        dir,
        format!(
            "the spec changes tables release `{release}` published:\n  {}",
            dropped.join("\n  ")
        ),
    ))
}

/// Refuses a release whose counts contradict what an earlier release
/// published as final: for every cell tied to an earlier release's, the
/// true count must be one the earlier shown value allows. Names the cells
/// and both shown values, never a count.
pub(crate) fn check_final_cells(
    cs: &ContentSystem,
    counts: &dyn Fn(usize, usize) -> u64,
) -> Result<(), PipelineError> {
    let domains = cs.system.domains();
    let mut changed = Vec::new();
    for &(now, before) in &cs.ties {
        let Some(&(t, i)) = cs.cell_of.get(now as usize) else {
            continue;
        };
        let n = counts(t, i);
        let d = domains[before as usize];
        if n < d.lo || d.hi.is_some_and(|hi| n > hi) {
            let (name, shown_now) = cs.describe(now);
            let (_, shown_before) = cs.describe(before);
            let release = cs.release_of(before);
            changed.push(format!(
                "{name}: shown {shown_before} as final in {release}, {shown_now} now"
            ));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    Err(PipelineError::RevisedFinal(changed))
}

/// What the new release repeats of the last one in the series: its
/// resources and every cell both publish, with both shown values.
pub(crate) fn previous_release(
    folder: &Path,
    tables: &[discreet_publish::TableView<'_>],
    reporter: &mut dyn Reporter,
) -> Result<PreviousRelease, PipelineError> {
    let release = folder_name(folder);
    let package: serde_json::Value = std::fs::read(folder.join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            PipelineError::Series(format!("{}: no readable package.json", folder.display()))
        })?;
    let resources = package["resources"].as_array().cloned().unwrap_or_default();
    let earlier = crate::audit::published_cells(folder, reporter)?;
    let mut revisions = Vec::new();
    let mut coords = Vec::new();
    for view in tables {
        let Some(before) = earlier.get(&view.plan.name) else {
            continue;
        };
        for &i in &view.order {
            view.shape.coords(i, &mut coords);
            let cell: Vec<String> = (view.plan.dimensions.iter())
                .zip(view.dims())
                .zip(&coords)
                .map(|((d, h), &n)| format!("{d}={}", h.node(n).code))
                .collect();
            let cell = cell.join(",");
            if let Some(previous) = before.get(&cell) {
                revisions.push(Revision {
                    table: view.plan.name.clone(),
                    cell,
                    previous: previous.clone(),
                    shown: view.protected.shown_at(i).to_string(),
                });
            }
        }
    }
    Ok(PreviousRelease {
        release,
        resources,
        revisions,
    })
}

/// The series part of a release: the dataset, the releases before it
/// (`earlier`, newest first) and what it repeats of the last one.
pub(crate) fn series_release(
    dataset_id: &str,
    earlier: &[PathBuf],
    tables: &[discreet_publish::TableView<'_>],
    reporter: &mut dyn Reporter,
) -> Result<SeriesRelease, PipelineError> {
    let previous = match earlier.first() {
        Some(folder) => Some(previous_release(folder, tables, reporter)?),
        None => None,
    };
    let earlier = earlier
        .iter()
        .map(|folder| {
            let manifest = std::fs::read(folder.join(MANIFEST_FILE))
                .map_err(|e| PipelineError::Series(format!("{}: {e}", folder.display())))?;
            Ok(EarlierRelease {
                release: folder_name(folder),
                manifest_sha256: sha256_hex(&manifest),
            })
        })
        .collect::<Result<_, PipelineError>>()?;
    Ok(SeriesRelease {
        dataset_id: dataset_id.to_string(),
        earlier,
        previous,
    })
}

impl SeriesRun {
    /// The series' dataset identifier.
    pub fn dataset_id(&self) -> &str {
        &self.ledger.dataset_id
    }
}

fn folder_name(folder: &Path) -> String {
    folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What `series.json` in a release says: its dataset and the earlier
/// releases it was protected against, found as folders beside it.
#[derive(Debug, Clone, Deserialize)]
struct SeriesDoc {
    dataset_id: String,
    earlier: Vec<EarlierDoc>,
}

#[derive(Debug, Clone, Deserialize)]
struct EarlierDoc {
    release: String,
    manifest_sha256: String,
}

/// For `verify`: the series a release in `dir` belongs to, read from its
/// `series.json` (`None` when it has none), as the dataset identifier and
/// the earlier release folders beside it, newest first. Problems (an
/// earlier release missing or changed) are returned as messages; the
/// release is then recomputed without the releases that are missing.
pub(crate) fn release_series(dir: &Path) -> Option<(String, Vec<PathBuf>, Vec<String>)> {
    let bytes = std::fs::read(dir.join(discreet_publish::SERIES_FILE)).ok()?;
    let mut problems = Vec::new();
    let doc: SeriesDoc = match serde_json::from_slice(&bytes) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("not a series record ({e})"));
            return Some((String::new(), Vec::new(), problems));
        }
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    let mut folders = Vec::new();
    for e in &doc.earlier {
        let folder = parent.join(&e.release);
        match std::fs::read(folder.join(MANIFEST_FILE)) {
            Ok(m) if sha256_hex(&m) == e.manifest_sha256 => folders.push(folder),
            Ok(_) => {
                problems.push(format!("earlier release `{}`: its manifest is not the one this release was protected against", e.release));
                folders.push(folder);
            }
            Err(_) => problems.push(format!(
                "earlier release `{}` not found beside this release ({}): the protection against it cannot be recomputed",
                e.release,
                folder.display()
            )),
        }
    }
    Some((doc.dataset_id, folders, problems))
}

/// Appends the installed release to the ledger (written beside it, then
/// renamed over it).
pub(crate) fn append(
    run: &SeriesRun,
    plan: &Plan,
    inputs: &[discreet_publish::InputDigest],
) -> Result<(), PipelineError> {
    let manifest = std::fs::read(run.out.join(MANIFEST_FILE)).map_err(|e| refuse(&run.dir, e))?;
    let mut ledger = run.ledger.clone();
    let mut entry = LedgerEntry {
        release: plan.spec.release.name.clone(),
        published: plan.spec.release.published.clone(),
        final_through: plan.spec.release.final_through.clone(),
        spec_sha256: plan.spec_sha256.clone(),
        inputs: inputs
            .iter()
            .map(|i| LedgerInput {
                name: i.name.clone(),
                sha256: i.sha256.clone(),
            })
            .collect(),
        manifest_sha256: sha256_hex(&manifest),
        previous_entry_sha256: ledger.entries.last().map(|e| e.entry_sha256.clone()),
        entry_sha256: String::new(),
    };
    entry.entry_sha256 = entry.digest();
    ledger.entries.push(entry);
    let mut bytes = serde_json::to_vec_pretty(&ledger).expect("plain values serialise");
    bytes.push(b'\n');
    let tmp = run
        .dir
        .join(format!(".{LEDGER_FILE}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, run.dir.join(LEDGER_FILE)))
        .map_err(|e| refuse(&run.dir, format!("cannot write {LEDGER_FILE}: {e}")))
}

/// Shown values of a published release by table and cell (`dim=code,...`).
pub(crate) type PublishedCells = HashMap<String, HashMap<String, String>>;
