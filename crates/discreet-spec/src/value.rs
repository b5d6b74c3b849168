//! Checking and reading single microdata values: dates, integers, codes.
//! Each function returns what was expected on failure, for error messages
//! that name the expectation.

use crate::codelist::Codelist;
use crate::model::{ColumnSpec, ColumnType};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (1..=9999).
    pub year: i32,
    /// Month (1..=12).
    pub month: u32,
    /// Day of month.
    pub day: u32,
}

/// Days in a month of a year (Gregorian).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses `YYYY-MM-DD`, a real calendar date.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&s[0..4])? as i32;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    (year >= 1 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
}

/// Parses `YYYY-MM`.
pub fn parse_year_month(s: &str) -> Option<(i32, u32)> {
    let b = s.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return None;
    }
    let year = digits(&s[0..4])? as i32;
    let month = digits(&s[5..7])?;
    (year >= 1 && (1..=12).contains(&month)).then_some((year, month))
}

/// Parses an integer written in plain decimal (optional leading `-`).
pub fn parse_integer(s: &str) -> Option<i64> {
    let t = s.strip_prefix('-').unwrap_or(s);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Checks one value of a column against its declared type; `codelist` is
/// the column's list for `code` columns. Returns what was expected when the
/// value does not fit. `None` is an empty value.
pub fn check_value(
    spec: &ColumnSpec,
    codelist: Option<&Codelist>,
    value: Option<&str>,
) -> Result<(), String> {
    let Some(v) = value else {
        return if spec.nullable {
            Ok(())
        } else {
            Err(format!(
                "a {} value, found an empty value",
                describe(spec, codelist)
            ))
        };
    };
    match spec.kind {
        ColumnType::String => {
            if v.is_empty() && !spec.nullable {
                Err("a non-empty string".into())
            } else {
                Ok(())
            }
        }
        ColumnType::Code => match codelist {
            Some(list) if list.contains(v) => Ok(()),
            Some(list) => Err(format!(
                "a code of codelist `{}`, found `{}`",
                list.name,
                shorten(v)
            )),
            None => Ok(()),
        },
        ColumnType::Date => parse_date(v)
            .map(|_| ())
            .ok_or_else(|| format!("a date YYYY-MM-DD, found `{}`", shorten(v))),
        ColumnType::Integer => {
            let Some(n) = parse_integer(v) else {
                return Err(format!(
                    "{}, found `{}`",
                    describe(spec, codelist),
                    shorten(v)
                ));
            };
            if spec.min.is_some_and(|m| n < m) || spec.max.is_some_and(|m| n > m) {
                return Err(format!(
                    "{}, found a value out of range",
                    describe(spec, codelist)
                ));
            }
            Ok(())
        }
    }
}

/// What a column's values must be, in words.
pub fn describe(spec: &ColumnSpec, codelist: Option<&Codelist>) -> String {
    match spec.kind {
        ColumnType::String => "string".into(),
        ColumnType::Code => match codelist {
            Some(l) => format!("code of codelist `{}`", l.name),
            None => "code".into(),
        },
        ColumnType::Date => "date YYYY-MM-DD".into(),
        ColumnType::Integer => match (spec.min, spec.max) {
            (Some(a), Some(b)) => format!("an integer from {a} to {b}"),
            (Some(a), None) => format!("an integer >= {a}"),
            (None, Some(b)) => format!("an integer <= {b}"),
            (None, None) => "an integer".into(),
        },
    }
}

/// Cuts a value quoted in an error message to a readable length.
fn shorten(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(kind: ColumnType) -> ColumnSpec {
        ColumnSpec {
            kind,
            codelist: None,
            min: Some(0),
            max: Some(120),
            unique: false,
            nullable: false,
            recode: None,
            unmatched: None,
            trim: false,
            case: None,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-32",
            "",
            "2024-01-01 ",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2000-02-29").map(|d| d.day), Some(29));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_year_month("2025-12"), Some((2025, 12)));
        assert_eq!(parse_year_month("2025-13"), None);
    }

    #[test]
    fn values() {
        let age = col(ColumnType::Integer);
        assert!(check_value(&age, None, Some("42")).is_ok());
        assert!(check_value(&age, None, Some("-1"))
            .unwrap_err()
            .contains("out of range"));
        assert!(check_value(&age, None, Some("4x"))
            .unwrap_err()
            .contains("integer from 0 to 120"));
        assert!(check_value(&age, None, None).unwrap_err().contains("empty"));
        let date = col(ColumnType::Date);
        assert!(check_value(&date, None, Some("2024-02-30"))
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        let list = crate::codelist::builtin("provinces").unwrap();
        let code = col(ColumnType::Code);
        assert!(check_value(&code, Some(&list), Some("ON")).is_ok());
        assert!(check_value(&code, Some(&list), Some("ZZ"))
            .unwrap_err()
            .contains("codelist `provinces`"));
        assert_eq!(parse_integer("+5"), None);
        assert_eq!(parse_integer("-7"), Some(-7));
    }
}
