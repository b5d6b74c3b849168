//! The files a spec refers to (its own codelists, and recodes): read from
//! next to the spec or from a release's copies, each remembered so that
//! it is copied into the release and hashed in its manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::codelist::Codelist;
use crate::model::{ColumnSpec, ColumnType, RecodeSpec, Spec};
use crate::plan::{release_name, FileBase, SpecError, SpecFile};
use crate::recode::{read_recode_csv, Case, Recode};

/// Reads a spec's files and keeps what was read.
pub(crate) struct SpecFiles<'a> {
    spec_file: &'a str,
    base: FileBase<'a>,
    read: Vec<SpecFile>,
}

impl<'a> SpecFiles<'a> {
    /// Files of the spec `spec_file`, read from `base`.
    pub(crate) fn new(spec_file: &'a str, base: FileBase<'a>) -> Self {
        SpecFiles {
            spec_file,
            base,
            read: Vec::new(),
        }
    }

    /// The files read, in the order the spec names them.
    pub(crate) fn into_files(self) -> Vec<SpecFile> {
        self.read
    }

    /// An error at `key` of the spec itself.
    fn spec_error(&self, key: &str, message: String) -> SpecError {
        SpecError {
            file: self.spec_file.to_string(),
            key: Some(key.to_string()),
            message,
        }
    }

    /// Where the file the spec names `path` is read from.
    fn location(&self, path: &str, release: &str) -> PathBuf {
        match self.base {
            FileBase::NextToSpec => Path::new(self.spec_file)
                .parent()
                .unwrap_or(Path::new(""))
                .join(path),
            FileBase::Release(dir) => dir.join(release),
        }
    }

    /// Reads the file the spec names `path` at `key` (once, however many
    /// keys name it); returns where it was read from and its bytes.
    pub(crate) fn read(&mut self, key: &str, path: &str) -> Result<(String, Vec<u8>), SpecError> {
        let release = release_name(path).ok_or_else(|| {
            self.spec_error(
                key,
                format!("`{path}`: expected a file whose name holds only letters, digits, `_`, `-` and `.`"),
            )
        })?;
        let at = self.location(path, &release);
        let shown = at.display().to_string();
        if let Some(f) = self.read.iter().find(|f| f.release_name == release) {
            if f.path != path {
                return Err(self.spec_error(
                    key,
                    format!("`{path}` has the same file name as `{}`; releases hold both side by side, so give them different names", f.path),
                ));
            }
            return Ok((shown, f.bytes.clone()));
        }
        let bytes = std::fs::read(&at)
            .map_err(|e| self.spec_error(key, format!("cannot read `{shown}`: {e}")))?;
        self.read.push(SpecFile {
            path: path.to_string(),
            release_name: release,
            bytes: bytes.clone(),
        });
        Ok((shown, bytes))
    }

    /// `[codelists]`: every list the spec brings, read and checked.
    /// Errors name the codelist file, line and column.
    pub(crate) fn codelists(
        &mut self,
        spec: &Spec,
    ) -> Result<BTreeMap<String, Codelist>, SpecError> {
        let mut lists = BTreeMap::new();
        for (name, c) in &spec.codelists {
            let key = format!("codelists.{name}");
            if !crate::plan::is_file_safe(name) {
                return Err(self.spec_error(
                    &key,
                    format!("`{name}` is not a valid name: expected 1 to 64 characters from a-z, 0-9, `_`, `-`"),
                ));
            }
            let (shown, bytes) = self.read(&format!("{key}.path"), &c.path)?;
            let list = Codelist::from_file_bytes(name, &bytes).map_err(|e| SpecError {
                file: shown,
                key: None,
                message: e.to_string(),
            })?;
            lists.insert(name.clone(), list);
        }
        Ok(lists)
    }

    /// The recodes of every `code` column that has one, by (input,
    /// column). A target must be a code microdata may hold; errors in a
    /// recode file name its line and column.
    pub(crate) fn recodes(
        &mut self,
        spec: &Spec,
        codelists: &BTreeMap<String, Codelist>,
    ) -> Result<BTreeMap<(String, String), Recode>, SpecError> {
        let mut out = BTreeMap::new();
        for (iname, input) in &spec.inputs {
            for (cname, col) in &input.columns {
                let key = format!("inputs.{iname}.columns.{cname}");
                if let Some(r) = self.recode(&key, col, codelists)? {
                    out.insert((iname.clone(), cname.clone()), r);
                }
            }
        }
        Ok(out)
    }

    /// One column's recode, if it declares one.
    fn recode(
        &mut self,
        key: &str,
        col: &ColumnSpec,
        codelists: &BTreeMap<String, Codelist>,
    ) -> Result<Option<Recode>, SpecError> {
        if !has_recode(col) {
            return Ok(None);
        }
        let list = match (col.kind, col.codelist.as_ref()) {
            (ColumnType::Code, Some(l)) => &codelists[l],
            _ => {
                return Err(self.spec_error(
                    key,
                    "`recode`, `unmatched`, `trim` and `case` apply only to `code` columns".into(),
                ))
            }
        };
        let case = match col.case.as_deref() {
            None => None,
            Some("upper") => Some(Case::Upper),
            Some("lower") => Some(Case::Lower),
            Some(other) => {
                return Err(self.spec_error(
                    &format!("{key}.case"),
                    format!("expected `upper` or `lower`, found `{other}`"),
                ))
            }
        };
        let unmatched = match col.unmatched.as_deref() {
            None | Some("error") => None,
            Some(code) => {
                target(list, code).map_err(|m| self.spec_error(&format!("{key}.unmatched"), m))?;
                Some(code.to_string())
            }
        };
        let mut recode = Recode {
            map: Default::default(),
            trim: col.trim,
            case,
            unmatched,
        };
        match &col.recode {
            None => {}
            Some(RecodeSpec::Inline(pairs)) => {
                for (from, to) in pairs {
                    let k = format!("{key}.recode.\"{from}\"");
                    target(list, to).map_err(|m| self.spec_error(&k, m))?;
                    let from = recode.normalise(from).into_owned();
                    if recode
                        .map
                        .insert(from.clone(), to.clone())
                        .is_some_and(|t| t != *to)
                    {
                        return Err(self.spec_error(
                            &k,
                            format!("`{from}` is recoded to two different codes"),
                        ));
                    }
                }
            }
            Some(RecodeSpec::File(path)) => {
                let (shown, bytes) = self.read(&format!("{key}.recode"), path)?;
                let at = |line: u64, column: Option<(u64, &str)>, message: String| {
                    let column =
                        column.map_or(String::new(), |(c, n)| format!(", column {c} (`{n}`)"));
                    SpecError {
                        file: shown.clone(),
                        key: None,
                        message: format!("recode of `{key}`, line {line}{column}: {message}"),
                    }
                };
                let text = std::str::from_utf8(&bytes).map_err(|e| {
                    let (line, c) = crate::codelist::line_column(&bytes[..e.valid_up_to()]);
                    at(
                        line,
                        Some((c, "byte")),
                        "expected UTF-8 text; this byte is not".into(),
                    )
                })?;
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let mut pairs = Vec::new();
                read_recode_csv(text, &recode, &mut pairs).map_err(|(l, c, m)| at(l, c, m))?;
                for (from, to, line) in pairs {
                    target(list, &to).map_err(|m| at(line, Some((2, "to")), m))?;
                    if recode
                        .map
                        .insert(from.clone(), to.clone())
                        .is_some_and(|t| t != to)
                    {
                        return Err(at(
                            line,
                            Some((1, "from")),
                            format!("`{from}` is recoded to two different codes"),
                        ));
                    }
                }
            }
        }
        Ok(Some(recode))
    }
}

/// Whether a column declares any part of a recode.
pub(crate) fn has_recode(col: &ColumnSpec) -> bool {
    col.recode.is_some() || col.unmatched.is_some() || col.trim || col.case.is_some()
}

/// A recode target: a code of `list` that microdata may hold (no group).
fn target(list: &Codelist, code: &str) -> Result<(), String> {
    match (list.contains(code), list.get(code)) {
        (true, _) => Ok(()),
        (false, Some(_)) => Err(format!(
            "`{code}` is a group of codelist `{}`; recode to the codes below it",
            list.name
        )),
        (false, None) => Err(format!(
            "`{code}` is not a code of codelist `{}`",
            list.name
        )),
    }
}
