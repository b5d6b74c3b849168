//! Recodes: how the raw values of a `code` column become codes of its
//! codelist before they are checked (`trim`, `case`, a `from,to` map, and
//! where values that are no code go).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::codelist::Codelist;

/// Change of case applied to raw values before recoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Upper case.
    Upper,
    /// Lower case.
    Lower,
}

/// The recode of one `code` column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recode {
    /// Normalised raw value -> code.
    pub map: HashMap<String, String>,
    /// Strip surrounding white space first.
    pub trim: bool,
    /// Change case first.
    pub case: Option<Case>,
    /// The code values that are no code after recoding go to; `None`
    /// refuses them.
    pub unmatched: Option<String>,
}

/// What a raw value becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recoded<'a> {
    /// This code (checked against the codelist by the caller).
    Code(Cow<'a, str>),
    /// No code: sent to the `unmatched` code.
    Unmatched(&'a str),
}

impl Recode {
    /// The value after `trim` and `case`.
    pub fn normalise<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        let v = if self.trim { raw.trim() } else { raw };
        match self.case {
            Some(Case::Upper) => Cow::Owned(v.to_uppercase()),
            Some(Case::Lower) => Cow::Owned(v.to_lowercase()),
            None => Cow::Borrowed(v),
        }
    }

    /// What `raw` becomes: its recode, else itself; a value that is then
    /// no code of `list` goes to the `unmatched` code if there is one
    /// (else it is returned as is, for the codelist check to refuse).
    pub fn apply<'a>(&'a self, raw: &'a str, list: &Codelist) -> Recoded<'a> {
        let v = self.normalise(raw);
        let code = match self.map.get(v.as_ref()) {
            Some(to) => Cow::Borrowed(to.as_str()),
            None => v,
        };
        match &self.unmatched {
            Some(u) if !list.contains(&code) => Recoded::Unmatched(u),
            _ => Recoded::Code(code),
        }
    }
}

/// A recode file that cannot be used: line, column (1-based) and why.
pub type RecodeFileError = (u64, Option<(u64, &'static str)>, String);

/// Reads a recode CSV with columns `from,to` (header required) into
/// `map`, each `from` normalised by `recode`; targets are checked by the
/// caller.
pub fn read_recode_csv(
    text: &str,
    recode: &Recode,
    map: &mut Vec<(String, String, u64)>,
) -> Result<(), RecodeFileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| (1, None, format!("unreadable header: {e}")))?
        .clone();
    let col = |h: &str| headers.iter().position(|x| x.trim() == h);
    let (Some(fi), Some(ti)) = (col("from"), col("to")) else {
        return Err((1, None, "expected columns `from`, `to`".into()));
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            (line, None, format!("malformed CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let from = recode.normalise(rec.get(fi).unwrap_or("")).into_owned();
        let to = rec.get(ti).unwrap_or("").trim().to_string();
        if to.is_empty() {
            return Err((line, Some((ti as u64 + 1, "to")), "empty code".into()));
        }
        map.push((from, to, line));
    }
    Ok(())
}
