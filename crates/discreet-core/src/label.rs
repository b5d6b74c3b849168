//! Bilingual (English / French) text, as every label published by a
//! Government of Canada department must be.

/// A text in English and French.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bilingual {
    /// English text.
    pub en: String,
    /// French text.
    pub fr: String,
}

impl Bilingual {
    /// Builds a label from its English and French texts.
    pub fn new(en: impl Into<String>, fr: impl Into<String>) -> Self {
        Bilingual {
            en: en.into(),
            fr: fr.into(),
        }
    }

    /// True when either language is missing (empty or blank).
    pub fn is_incomplete(&self) -> bool {
        self.en.trim().is_empty() || self.fr.trim().is_empty()
    }
}
