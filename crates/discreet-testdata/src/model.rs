//! The synthetic population: one weighted table per column and a sampler
//! that draws one admission at a time from a seeded ChaCha8 stream.
//!
//! Everything here is integer arithmetic on fixed tables, iterated in codelist
//! order, so the same seed gives the same rows on any machine.

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

use discreet_spec::value::days_in_month;
use discreet_spec::{builtin, Codelist};

use crate::TestdataError;

/// First and last year of admissions (inclusive).
pub(crate) const FIRST_YEAR: u16 = 2023;
/// Last year of admissions (inclusive).
pub(crate) const LAST_YEAR: u16 = 2025;
/// Highest age generated.
pub(crate) const MAX_AGE: u8 = 100;

/// Relative admissions by year (2025 levels were cut, as announced).
const YEAR_WEIGHTS: [(u16, u64); 3] = [(2023, 100), (2024, 104), (2025, 85)];
/// Mild seasonality: more landings in summer and autumn, per day of the month.
const MONTH_WEIGHTS: [u64; 12] = [78, 80, 90, 88, 92, 100, 106, 110, 104, 106, 98, 84];

/// Province shares, per 10,000 (they need not sum to 10,000).
const PROVINCE_WEIGHTS: &[(&str, u64)] = &[
    ("NL", 100),
    ("PE", 100),
    ("NS", 300),
    ("NB", 250),
    ("QC", 1200),
    ("ON", 4400),
    ("MB", 500),
    ("SK", 400),
    ("AB", 1100),
    ("BC", 1500),
    ("YT", 10),
    ("NT", 10),
    ("NU", 10),
    ("XX", 20),
];

/// Immigration class shares, in percent.
const CLASS_WEIGHTS: &[(&str, u64)] = &[("ECO", 58), ("FAM", 24), ("REF", 13), ("OTH", 5)];

/// Category shares within their class, per 1,000 of the class.
const CATEGORY_WEIGHTS: &[(&str, u64)] = &[
    // Economic
    ("FSW", 120),
    ("FST", 10),
    ("CEC", 200),
    ("PNP", 400),
    ("QC_SKILLED", 120),
    ("CAREGIVER", 50),
    ("BUSINESS", 10),
    ("AGRI_FOOD", 20),
    ("ATL_IMM", 70),
    // Family
    ("SPOUSE_PARTNER_CHILD", 750),
    ("PARENT_GRANDPARENT", 240),
    ("OTHER_FAMILY", 10),
    // Refugees and protected persons
    ("GAR", 300),
    ("BVOR", 20),
    ("PSR", 250),
    ("PROTECTED_PERSON", 350),
    ("REFUGEE_DEPENDANT", 80),
    // Other
    ("HC", 450),
    ("PUBLIC_POLICY", 500),
    ("OTHER_IMM", 50),
];

/// Gender shares, per 1,000.
const GENDER_WEIGHTS: &[(&str, u64)] = &[("F", 500), ("M", 499), ("X", 1)];

/// Age profile: (age, weight per single year of age); linear in between.
/// Gives about 18% aged 0-14, the bulk at 25-44 and under 3% over 65.
const AGE_KNOTS: &[(u8, u64)] = &[
    (0, 95),
    (4, 120),
    (10, 118),
    (14, 105),
    (17, 80),
    (20, 95),
    (24, 190),
    (28, 300),
    (33, 300),
    (38, 230),
    (44, 140),
    (50, 75),
    (55, 55),
    (60, 45),
    (65, 30),
    (70, 18),
    (75, 10),
    (80, 5),
    (90, 2),
    (100, 1),
];

/// Cumulative weights for drawing an index with probability proportional to
/// its weight.
///
/// A draw maps one 64-bit random output `r` onto `x = r * total / 2^64` (bias
/// below `total / 2^64`) and returns the first index whose cumulative weight
/// exceeds `x`. A guide table indexed by the top bits of `r` gives where to
/// start looking, so a draw costs a lookup and a short scan rather than a
/// binary search; the result is exactly that of the binary search.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    cumulative: Vec<u64>,
    total: u64,
    /// For each bucket of `r >> shift`, the answer for the bucket's lowest `r`.
    guide: Vec<u32>,
    shift: u32,
}

#[inline]
pub(crate) fn scale(r: u64, total: u64) -> u64 {
    ((u128::from(r) * u128::from(total)) >> 64) as u64
}

impl Table {
    /// Builds the table; `None` when all weights are zero (or they overflow).
    pub(crate) fn new(weights: impl IntoIterator<Item = u64>) -> Option<Table> {
        let mut total = 0u64;
        let mut cumulative = Vec::new();
        for w in weights {
            total = total.checked_add(w)?;
            cumulative.push(total);
        }
        if total == 0 || cumulative.len() > u32::MAX as usize {
            return None;
        }
        // About four buckets per entry, at least 16.
        let bits = (cumulative.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let shift = 64 - bits;
        let guide = (0..1u64 << bits)
            .map(|b| {
                let x = scale(b << shift, total);
                cumulative.partition_point(|&c| c <= x) as u32
            })
            .collect();
        Some(Table {
            cumulative,
            total,
            guide,
            shift,
        })
    }

    /// The index drawn for the random output `r`.
    #[inline]
    pub(crate) fn index(&self, r: u64) -> usize {
        let x = scale(r, self.total);
        let mut i = self.guide[(r >> self.shift) as usize] as usize;
        // Ends at the last entry at the latest: it equals `total` > `x`.
        while self.cumulative[i] <= x {
            i += 1;
        }
        i
    }

    /// Draws an index using one 64-bit output of `rng`.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        self.index(rng.next_u64())
    }

    /// The same as [`Table::index`] by plain binary search (for tests).
    #[cfg(all(test, feature = "parquet"))]
    pub(crate) fn index_by_search(&self, r: u64) -> usize {
        let x = scale(r, self.total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// One generated admission, as indices into the [`Model`]'s code tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub day: u16,
    pub country: u16,
    pub province: u8,
    pub category: u8,
    pub age: u8,
    pub gender: u8,
}

/// The categories of one immigration class and their shares.
#[derive(Debug, Clone)]
struct Class {
    table: Table,
    /// Index in `Model::categories` of each entry of `table`.
    categories: Vec<u8>,
}

/// All tables needed to draw admissions.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    /// `YYYY-MM-DD` of each day of the period, in order.
    pub dates: Vec<[u8; 10]>,
    pub countries: Vec<String>,
    pub provinces: Vec<String>,
    pub categories: Vec<String>,
    pub genders: Vec<String>,
    date_table: Table,
    country_table: Table,
    province_table: Table,
    class_table: Table,
    classes: Vec<Class>,
    age_table: Table,
    gender_table: Table,
}

pub(crate) fn codelist(name: &str) -> Result<Codelist, TestdataError> {
    builtin(name)
        .ok_or_else(|| TestdataError::Model(format!("built-in codelist `{name}` is missing")))
}

pub(crate) fn model_err(list: &str, message: impl std::fmt::Display) -> TestdataError {
    TestdataError::Model(format!("codelist `{list}`: {message}"))
}

/// Codes of a list, refusing any a CSV field would need to quote.
pub(crate) fn codes(list: &Codelist) -> Result<Vec<String>, TestdataError> {
    list.entries
        .iter()
        .map(|e| {
            if e.code
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
            {
                Err(model_err(
                    &list.name,
                    format!("code `{}` would need CSV quoting", e.code),
                ))
            } else {
                Ok(e.code.clone())
            }
        })
        .collect()
}

/// The codelist's own weight of each code, which every code must have.
pub(crate) fn list_weights(list: &Codelist) -> Result<Vec<u64>, TestdataError> {
    (list.entries.iter())
        .map(|e| {
            e.weight
                .ok_or_else(|| model_err(&list.name, format!("code `{}` has no weight", e.code)))
        })
        .collect()
}

/// Share of a code from one of the tables above; every code of the codelist
/// must have one, so a codelist change is noticed here rather than silently
/// generating a code never or too often.
pub(crate) fn share(list: &str, table: &[(&str, u64)], code: &str) -> Result<u64, TestdataError> {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|&(_, w)| w)
        .ok_or_else(|| model_err(list, format!("no synthetic share for code `{code}`")))
}

pub(crate) fn shares_table(list: &Codelist, table: &[(&str, u64)]) -> Result<Table, TestdataError> {
    let weights = list
        .entries
        .iter()
        .map(|e| share(&list.name, table, &e.code))
        .collect::<Result<Vec<_>, _>>()?;
    Table::new(weights).ok_or_else(|| model_err(&list.name, "all shares are zero"))
}

/// Weight of each single year of age, interpolated between [`AGE_KNOTS`].
pub(crate) fn age_weights() -> Vec<u64> {
    (0..=MAX_AGE)
        .map(|age| {
            let i = AGE_KNOTS.partition_point(|&(a, _)| a <= age);
            if i == AGE_KNOTS.len() {
                return AGE_KNOTS[i - 1].1;
            }
            let (a0, w0) = AGE_KNOTS[i - 1];
            let (a1, w1) = AGE_KNOTS[i];
            // Integer interpolation, scaled by 100 to keep resolution.
            let (t, span) = (u64::from(age - a0), u64::from(a1 - a0));
            (w0 * 100 * (span - t) + w1 * 100 * t) / span
        })
        .collect()
}

impl Model {
    /// Draws IRCC's English country names instead of the codes (same
    /// draws, so the same rows otherwise).
    pub(crate) fn name_countries(&mut self) -> Result<(), TestdataError> {
        let list = codelist("countries")?;
        for c in &mut self.countries {
            let e = list
                .get(c)
                .ok_or_else(|| model_err("countries", "code without label"))?;
            *c = e.label.en.clone();
        }
        Ok(())
    }

    /// Builds the tables from the built-in codelists.
    pub(crate) fn new() -> Result<Model, TestdataError> {
        // Dates.
        let mut dates = Vec::new();
        let mut date_weights = Vec::new();
        for (year, yw) in YEAR_WEIGHTS {
            for month in 1..=12u8 {
                for day in 1..=days_in_month(i32::from(year), u32::from(month)) {
                    let mut d = *b"0000-00-00";
                    write_digits(&mut d[0..4], u64::from(year));
                    write_digits(&mut d[5..7], u64::from(month));
                    write_digits(&mut d[8..10], u64::from(day));
                    dates.push(d);
                    date_weights.push(yw * MONTH_WEIGHTS[usize::from(month - 1)]);
                }
            }
        }
        debug_assert_eq!(YEAR_WEIGHTS.first().map(|y| y.0), Some(FIRST_YEAR));
        debug_assert_eq!(YEAR_WEIGHTS.last().map(|y| y.0), Some(LAST_YEAR));
        let date_table = Table::new(date_weights).expect("positive date weights");

        // Countries: the codelist's own weights.
        let countries_list = codelist("countries")?;
        let countries = codes(&countries_list)?;
        if countries.len() > usize::from(u16::MAX) {
            return Err(model_err("countries", "too many codes"));
        }
        let country_weights = list_weights(&countries_list)?;
        let country_table = Table::new(country_weights)
            .ok_or_else(|| model_err("countries", "all weights are zero"))?;

        let provinces_list = codelist("provinces")?;
        let provinces = codes(&provinces_list)?;
        let province_table = shares_table(&provinces_list, PROVINCE_WEIGHTS)?;

        let genders_list = codelist("genders")?;
        let genders = codes(&genders_list)?;
        let gender_table = shares_table(&genders_list, GENDER_WEIGHTS)?;

        // Immigration: class first, then a category within the class.
        let classes_list = codelist("immigration_classes")?;
        let categories_list = codelist("immigration_categories")?;
        let categories = codes(&categories_list)?;
        if categories.len() > usize::from(u8::MAX) + 1 {
            return Err(model_err("immigration_categories", "too many codes"));
        }
        let class_table = shares_table(&classes_list, CLASS_WEIGHTS)?;
        let mut classes = Vec::new();
        for class in &classes_list.entries {
            let mut members = Vec::new();
            let mut weights = Vec::new();
            for (i, e) in categories_list.entries.iter().enumerate() {
                if e.parent.as_deref() == Some(class.code.as_str()) {
                    members.push(i as u8);
                    weights.push(share("immigration_categories", CATEGORY_WEIGHTS, &e.code)?);
                }
            }
            let table = Table::new(weights).ok_or_else(|| {
                model_err(
                    "immigration_categories",
                    format!("class `{}` has no category with a share", class.code),
                )
            })?;
            classes.push(Class {
                table,
                categories: members,
            });
        }
        // A class whose share is zero never needs categories; every other one has
        // been checked above. Categories whose class is unknown are never drawn.

        let age_table = Table::new(age_weights()).expect("positive age weights");

        Ok(Model {
            dates,
            countries,
            provinces,
            categories,
            genders,
            date_table,
            country_table,
            province_table,
            class_table,
            classes,
            age_table,
            gender_table,
        })
    }

    /// The `YYYY-MM-DD` text of a day drawn by [`Model::sample`].
    #[inline]
    pub(crate) fn date(&self, day: u16) -> &str {
        std::str::from_utf8(&self.dates[usize::from(day)]).expect("ASCII date")
    }

    /// Draws one admission. The order of the draws is part of the output
    /// format: changing it changes every file.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> Row {
        let day = self.date_table.sample(rng) as u16;
        let country = self.country_table.sample(rng) as u16;
        let province = self.province_table.sample(rng) as u8;
        let class = &self.classes[self.class_table.sample(rng)];
        let category = class.categories[class.table.sample(rng)];
        let age = self.age_table.sample(rng) as u8;
        let gender = self.gender_table.sample(rng) as u8;
        Row {
            day,
            country,
            province,
            category,
            age,
            gender,
        }
    }
}

/// Writes `value` as zero-padded decimal filling all of `out`
/// (higher digits are dropped).
#[inline]
pub(crate) fn write_digits(out: &mut [u8], mut value: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}
