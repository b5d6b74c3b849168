//! Enums written as one word (`"ircc"`, `"up"`, `"--"`, `"distinct"`): a
//! serde `with` module for types of other crates, which carry no serde.

use discreet_core::{MarginKind, TieRule, ZeroDisplay};
use discreet_spec::Method;
use serde::{Deserialize, Deserializer, Serializer};

/// A type written as one of a few words.
pub(crate) trait Word: Sized + Copy + 'static {
    /// Every value.
    const ALL: &'static [Self];
    /// The word written for `self`.
    fn word(self) -> &'static str;
    /// The value `word` names, or the message to report.
    fn from_word(word: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.word() == word)
            .ok_or_else(|| {
                let mut expected: Vec<String> = Self::ALL
                    .iter()
                    .map(|v| format!("`{}`", v.word()))
                    .collect();
                let last = expected.pop().unwrap_or_default();
                if expected.is_empty() {
                    format!("unknown value `{word}`; expected {last}")
                } else {
                    format!(
                        "unknown value `{word}`; expected {} or {last}",
                        expected.join(", ")
                    )
                }
            })
    }
}

impl Word for Method {
    const ALL: &'static [Method] = &Method::ALL;
    fn word(self) -> &'static str {
        self.as_str()
    }
    fn from_word(word: &str) -> Result<Method, String> {
        word.parse()
            .map_err(|e: discreet_spec::UnknownMethod| e.to_string())
    }
}

impl Word for TieRule {
    const ALL: &'static [TieRule] = &[TieRule::Up, TieRule::Down, TieRule::Even];
    fn word(self) -> &'static str {
        match self {
            TieRule::Up => "up",
            TieRule::Down => "down",
            TieRule::Even => "even",
        }
    }
}

impl Word for ZeroDisplay {
    const ALL: &'static [ZeroDisplay] = &[ZeroDisplay::Zero, ZeroDisplay::Suppressed];
    fn word(self) -> &'static str {
        match self {
            ZeroDisplay::Zero => "0",
            ZeroDisplay::Suppressed => "--",
        }
    }
}

impl Word for MarginKind {
    const ALL: &'static [MarginKind] = &[MarginKind::Additive, MarginKind::Distinct];
    fn word(self) -> &'static str {
        self.as_str()
    }
}

pub(crate) fn serialize<T: Word, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.word())
}

pub(crate) fn deserialize<'de, T: Word, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let word = String::deserialize(d)?;
    T::from_word(&word).map_err(serde::de::Error::custom)
}
