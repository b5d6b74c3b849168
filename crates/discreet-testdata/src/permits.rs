//! Synthetic temporary-resident permits: one row per study or work permit,
//! with people holding one or several.
//!
//! People are drawn one after the other and all their permits are written
//! consecutively, in date order. A person starts with a first permit (type,
//! country of citizenship, province, study level, date) and may then hold up
//! to three more, each some months after the one before: a renewal, a study
//! permit at another level, a post-graduation work permit (International
//! Mobility Program) after studies, another work program, sometimes in
//! another province. Every permit of a person has the person's country of
//! citizenship. People start from 2017 and only their permits of 2019-2025
//! are written, so that the first years also hold the renewals of people
//! who arrived before; a permit that would fall after 2025 ends the person's
//! permits (censored, as real data are at the extraction date). The file's
//! last person is cut at the requested row count. Only the current person is
//! held in memory.
//!
//! The shares come from IRCC's published permit-holder tables in
//! `reference/ircc-samples/` where those tables show them (provinces,
//! study levels and months of study permits, provinces and countries of
//! TFWP permits, how much a year total falls below the sum of its quarters)
//! and are plausible choices otherwise; each constant below says which.

use std::path::Path;

use discreet_spec::value::days_in_month;
use discreet_spec::Codelist;
use rand::RngCore;
use rand_chacha::ChaCha8Rng;

use crate::model::{
    codelist, codes, list_weights, model_err, scale, shares_table, write_digits, Table,
};
use crate::write::{write_dataset, ColumnType, Dataset, RecordId, RowSink};
use crate::{TestdataError, CHUNK_ROWS};

/// Column names of the permits microdata, in file order.
pub const PERMITS_COLUMNS: [&str; 7] = [
    "permit_id",
    "person_id",
    "effective_date",
    "permit_type",
    "study_level",
    "province",
    "country_of_citizenship",
];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitsOptions {
    /// Number of permits (data rows) to write, at most [`crate::MAX_ROWS`].
    pub rows: u64,
    /// Seed of the random stream; the same seed and row count always give
    /// the same file.
    pub seed: u64,
}

/// Writes `opts.rows` synthetic permits to `path`, as CSV or Parquet
/// according to its extension (see [`crate::OutputFormat::from_path`]).
///
/// Columns are [`PERMITS_COLUMNS`]: `permit_id` (`TR` and ten digits, in
/// file order), `person_id` (`PN` and ten digits, numbered in order of first
/// appearance), `effective_date` (`YYYY-MM-DD`, 2019-01-01 to 2025-12-31),
/// `permit_type` (codelist `permit_types`), `study_level` (codelist
/// `study_levels` for study permits; empty in CSV and null in Parquet for
/// work permits), `province` (codelist `provinces`) and
/// `country_of_citizenship` (codelist `countries`). All Parquet columns are
/// strings.
///
/// Files are written atomically and `progress` is called as for
/// [`crate::write_admissions`]. The rows of `n` permits are the first `n`
/// rows of any longer run with the same seed.
pub fn write_permits(
    opts: &PermitsOptions,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_permits_chunked(opts, path, CHUNK_ROWS, progress)
}

/// [`write_permits`] with a chosen chunk size (the CSV bytes do not depend
/// on it).
pub(crate) fn write_permits_chunked(
    opts: &PermitsOptions,
    path: &Path,
    chunk_rows: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_dataset(
        || Permits::new(PermitsModel::new()?),
        opts.rows,
        opts.seed,
        path,
        chunk_rows,
        progress,
    )
}

/// First year of effective dates written (inclusive).
pub(crate) const FIRST_YEAR: u16 = 2019;
/// Last year of effective dates (inclusive).
pub(crate) const LAST_YEAR: u16 = 2025;
/// First year of people's first permits: the years before [`FIRST_YEAR`]
/// are drawn but not written.
const HISTORY_YEAR: u16 = 2017;
/// Years drawn.
const YEARS: usize = (LAST_YEAR - HISTORY_YEAR + 1) as usize;
/// Months drawn.
const MONTHS: usize = YEARS * 12;

/// Type of a person's first permit, in percent. With the later permits
/// (see [`NEXT_TYPE`]) about 60% of rows are study permits and 40% work
/// permits, of which about three in four are under the International
/// Mobility Program, as in IRCC's counts of permits by program.
const FIRST_TYPE: &[(&str, u64)] = &[("study", 65), ("tfwp", 9), ("imp", 26)];

/// Relative number of first permits by year (2017..=2025), per type. Study:
/// IRCC's study-permit holders by year permits became effective, in
/// thousands (2025 from its first seven months and the announced cap);
/// TFWP: the trend of IRCC's TFWP holders on December 31; IMP: a plausible
/// trend (no IMP table in the samples).
const YEAR_WEIGHTS: &[(&str, [u64; YEARS])] = &[
    ("study", [315, 354, 400, 256, 444, 548, 681, 515, 300]),
    ("tfwp", [46, 56, 73, 70, 80, 115, 170, 190, 140]),
    ("imp", [80, 90, 100, 65, 90, 150, 175, 160, 110]),
];

/// Seasonality of first permits, per day of each month (January first).
/// Study: IRCC's study-permit holders by month, 2019-2024 (per mille: the
/// August peak, September, December for the January term, April). TFWP:
/// seasonal agricultural workers arrive in spring, few in the autumn (as in
/// `ODP-TR-Work-TFWP-CITZ`). IMP: nearly even.
const MONTH_WEIGHTS: &[(&str, [u64; 12])] = &[
    ("study", [72, 41, 50, 90, 62, 57, 71, 220, 118, 47, 43, 129]),
    ("tfwp", [85, 80, 100, 150, 120, 75, 100, 75, 85, 50, 55, 40]),
    (
        "imp",
        [90, 85, 95, 95, 100, 105, 100, 105, 110, 100, 90, 80],
    ),
];

/// Number of permits a person holds (1, 2, 3, 4), in percent, by type of the
/// first permit: students renew and move on to post-graduation work
/// permits, seasonal workers come back, many IMP permits are one-offs.
/// After censoring at the end of the period about 30% of people hold
/// several permits.
const PERMITS_PER_PERSON: &[(&str, [u64; 4])] = &[
    ("study", [60, 24, 11, 5]),
    ("tfwp", [66, 20, 9, 5]),
    ("imp", [76, 16, 6, 2]),
];

/// Type of a later permit given the type of the one before, in percent.
/// `study` -> `imp` is the post-graduation work permit.
const NEXT_TYPE: &[(&str, &[(&str, u64)])] = &[
    ("study", &[("study", 70), ("tfwp", 4), ("imp", 26)]),
    ("tfwp", &[("study", 3), ("tfwp", 85), ("imp", 12)]),
    ("imp", &[("study", 8), ("tfwp", 14), ("imp", 78)]),
];

/// Months from one permit to the next (1 to 36): a term later, a year later
/// (the mode), two years later. Rarely in the same quarter, so that, as in
/// IRCC's tables, a year total is a few percent below the sum of its
/// quarters and a quarter barely below the sum of its months.
const GAP_MONTHS: [u64; 36] = [
    2, 3, 4, 6, 8, 8, 6, 6, 6, 6, 8, 14, // 1-12
    8, 5, 4, 3, 3, 3, 3, 3, 3, 3, 3, 6, // 13-24
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, // 25-36
];

/// Province of a person's first permit, per 10,000, by type. Study: IRCC's
/// study-permit holders 2019-2024 (Nunavut rounded up to 1). TFWP: IRCC's
/// TFWP holders on December 31, 2019-2024. IMP: between the two, with more
/// "not stated" (assumed; no IMP table in the samples).
const PROVINCE_WEIGHTS: &[(&str, &[(&str, u64)])] = &[
    (
        "study",
        &[
            ("NL", 66),
            ("PE", 45),
            ("NS", 230),
            ("NB", 138),
            ("QC", 1328),
            ("ON", 5062),
            ("MB", 289),
            ("SK", 162),
            ("AB", 588),
            ("BC", 2034),
            ("YT", 4),
            ("NT", 1),
            ("NU", 1),
            ("XX", 71),
        ],
    ),
    (
        "tfwp",
        &[
            ("NL", 37),
            ("PE", 63),
            ("NS", 123),
            ("NB", 174),
            ("QC", 2879),
            ("ON", 2529),
            ("MB", 175),
            ("SK", 119),
            ("AB", 1327),
            ("BC", 2544),
            ("YT", 7),
            ("NT", 7),
            ("NU", 3),
            ("XX", 13),
        ],
    ),
    (
        "imp",
        &[
            ("NL", 50),
            ("PE", 40),
            ("NS", 200),
            ("NB", 150),
            ("QC", 1200),
            ("ON", 4500),
            ("MB", 350),
            ("SK", 200),
            ("AB", 1100),
            ("BC", 2000),
            ("YT", 10),
            ("NT", 8),
            ("NU", 3),
            ("XX", 150),
        ],
    ),
];

/// A later permit is in the province of the one before with this chance,
/// per mille; otherwise its province is drawn afresh for its type.
const SAME_PROVINCE_PER_MILLE: u64 = 850;

/// Study level of a first study permit, per 10,000: IRCC's study-permit
/// holders 2019-2024 (about 17% secondary or less, 75% post-secondary, 8%
/// other studies, 0.03% not stated).
const LEVEL_WEIGHTS: &[(&str, u64)] = &[
    ("secondary_or_less", 1690),
    ("post_secondary", 7546),
    ("other_studies", 767),
    ("not_stated", 3),
];

/// Level of a later study permit given the person's last study level, per
/// 10,000: mostly the same level (a renewal), secondary school followed by
/// post-secondary studies, language courses ("other studies") followed by a
/// program. After "not stated" the level is drawn afresh.
const NEXT_LEVEL: &[(&str, &[(&str, u64)])] = &[
    (
        "secondary_or_less",
        &[
            ("secondary_or_less", 5500),
            ("post_secondary", 4200),
            ("other_studies", 300),
            ("not_stated", 0),
        ],
    ),
    (
        "post_secondary",
        &[
            ("secondary_or_less", 50),
            ("post_secondary", 9300),
            ("other_studies", 650),
            ("not_stated", 0),
        ],
    ),
    (
        "other_studies",
        &[
            ("secondary_or_less", 200),
            ("post_secondary", 4000),
            ("other_studies", 5800),
            ("not_stated", 0),
        ],
    ),
    ("not_stated", LEVEL_WEIGHTS),
];

/// Country of citizenship, by type of the person's first permit: the
/// admissions weights of the `countries` codelist (a heavy tail) times these
/// factors in percent (100 for countries not listed). Study permits go more
/// to India, China, Vietnam, Nigeria, France; TFWP to Mexico and Guatemala
/// (seasonal agricultural workers, as in `ODP-TR-Work-TFWP-CITZ`: Mexico
/// about 40%); IMP to India, France, the United States, the United Kingdom
/// and Ukraine.
const COUNTRY_FACTORS: &[(&str, &[(&str, u64)])] = &[
    (
        "study",
        &[
            ("IND", 400),
            ("CHN", 300),
            ("VNM", 400),
            ("NGA", 300),
            ("FRA", 200),
            ("KOR", 200),
            ("BRA", 200),
            ("PHL", 20),
        ],
    ),
    (
        "tfwp",
        &[("MEX", 6000), ("GTM", 20000), ("JAM", 300), ("IND", 80)],
    ),
    (
        "imp",
        &[
            ("IND", 300),
            ("FRA", 300),
            ("USA", 200),
            ("GBR", 200),
            ("UKR", 500),
            ("PHL", 60),
        ],
    ),
];

/// Class of the permit types that have a study level.
const STUDY_CLASS: &str = "study_permit";

/// The entry of `table` for `code` of codelist `list`; every code needs one.
fn entry<'a, T>(list: &str, table: &'a [(&str, T)], code: &str) -> Result<&'a T, TestdataError> {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, v)| v)
        .ok_or_else(|| model_err(list, format!("no synthetic shares for code `{code}`")))
}

/// One table per code of `list`, each drawing codes of `of`.
fn tables_by_code(
    list: &Codelist,
    of: &Codelist,
    table: &[(&str, &[(&str, u64)])],
) -> Result<Vec<Table>, TestdataError> {
    list.entries
        .iter()
        .map(|e| shares_table(of, entry(&list.name, table, &e.code)?))
        .collect()
}

/// One table of `N` fixed outcomes per code of `list`.
fn arrays_by_code<const N: usize>(
    list: &Codelist,
    table: &[(&str, [u64; N])],
) -> Result<Vec<Table>, TestdataError> {
    list.entries
        .iter()
        .map(|e| {
            let w = entry(&list.name, table, &e.code)?;
            Table::new(w.iter().copied())
                .ok_or_else(|| model_err(&list.name, format!("`{}`: all shares are zero", e.code)))
        })
        .collect()
}

/// One permit, as indices into the [`PermitsModel`]'s code tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Permit {
    /// Index in `PermitsModel::types`.
    kind: u8,
    /// Index in `PermitsModel::levels`, for study permits.
    level: Option<u8>,
    province: u8,
    country: u16,
    /// Index in `PermitsModel::dates`.
    day: u16,
}

/// All tables needed to draw permits.
#[derive(Debug, Clone)]
pub(crate) struct PermitsModel {
    /// `YYYY-MM-DD` of each day drawn, in order.
    pub dates: Vec<[u8; 10]>,
    /// Index in `dates` of the first day written (January 1 of
    /// [`FIRST_YEAR`]).
    pub first_day: u16,
    /// Index in `dates` of the first day of each month, and one past the end.
    month_start: Vec<u16>,
    /// Month (0 = January of [`HISTORY_YEAR`]) of each day.
    day_month: Vec<u8>,
    pub types: Vec<String>,
    /// Whether each type has a study level.
    has_level: Vec<bool>,
    pub levels: Vec<String>,
    pub provinces: Vec<String>,
    pub countries: Vec<String>,
    first_type: Table,
    /// By type of the first permit: number of permits minus one.
    per_person: Vec<Table>,
    /// By type: the type of the next permit.
    next_type: Vec<Table>,
    /// Months to the next permit, minus one.
    gap: Table,
    /// By type.
    date: Vec<Table>,
    /// By type.
    province: Vec<Table>,
    /// By type of the first permit.
    country: Vec<Table>,
    level: Table,
    /// By last study level.
    next_level: Vec<Table>,
}

impl PermitsModel {
    /// Builds the tables from the built-in codelists.
    pub(crate) fn new() -> Result<PermitsModel, TestdataError> {
        let types_list = codelist("permit_types")?;
        let types = codes(&types_list)?;
        let levels_list = codelist("study_levels")?;
        let levels = codes(&levels_list)?;
        let provinces_list = codelist("provinces")?;
        let provinces = codes(&provinces_list)?;
        let countries_list = codelist("countries")?;
        let countries = codes(&countries_list)?;
        if types.len() > usize::from(u8::MAX) || levels.len() > usize::from(u8::MAX) {
            return Err(model_err("permit_types", "too many codes"));
        }
        if countries.len() > usize::from(u16::MAX) {
            return Err(model_err("countries", "too many codes"));
        }
        let has_level: Vec<bool> = types_list
            .entries
            .iter()
            .map(|e| e.parent.as_deref() == Some(STUDY_CLASS))
            .collect();

        // Days and months of the period.
        let mut dates = Vec::new();
        let mut month_start = Vec::new();
        let mut day_month = Vec::new();
        let mut month_days = Vec::new();
        let mut first_day = 0;
        for year in HISTORY_YEAR..=LAST_YEAR {
            if year == FIRST_YEAR {
                first_day = dates.len() as u16;
            }
            for month in 1..=12u8 {
                let m = month_start.len() as u8;
                month_start.push(dates.len() as u16);
                let n = days_in_month(i32::from(year), u32::from(month));
                month_days.push(n);
                for day in 1..=n {
                    let mut d = *b"0000-00-00";
                    write_digits(&mut d[0..4], u64::from(year));
                    write_digits(&mut d[5..7], u64::from(month));
                    write_digits(&mut d[8..10], u64::from(day));
                    dates.push(d);
                    day_month.push(m);
                }
            }
        }
        month_start.push(dates.len() as u16);
        debug_assert_eq!(month_start.len(), MONTHS + 1);

        let date = types_list
            .entries
            .iter()
            .map(|e| {
                let years = entry("permit_types", YEAR_WEIGHTS, &e.code)?;
                let months = entry("permit_types", MONTH_WEIGHTS, &e.code)?;
                let weights = (0..MONTHS).flat_map(|m| {
                    let w = years[m / 12] * months[m % 12];
                    std::iter::repeat_n(w, month_days[m] as usize)
                });
                Table::new(weights)
                    .ok_or_else(|| model_err("permit_types", format!("`{}`: no dates", e.code)))
            })
            .collect::<Result<Vec<_>, _>>()?;

        // Countries: the codelist's weights times the factors of each type.
        let base = list_weights(&countries_list)?;
        let country = types_list
            .entries
            .iter()
            .map(|t| {
                let factors = entry("permit_types", COUNTRY_FACTORS, &t.code)?;
                if let Some((c, _)) = factors.iter().find(|(c, _)| !countries_list.contains(c)) {
                    return Err(model_err(
                        "countries",
                        format!("country factor for unknown code `{c}`"),
                    ));
                }
                let weights = countries_list.entries.iter().zip(&base).map(|(e, &w)| {
                    let f = factors
                        .iter()
                        .find(|(c, _)| *c == e.code)
                        .map_or(100, |&(_, f)| f);
                    w.saturating_mul(f)
                });
                Table::new(weights).ok_or_else(|| model_err("countries", "all weights are zero"))
            })
            .collect::<Result<Vec<_>, _>>()?;

        Ok(PermitsModel {
            dates,
            first_day,
            month_start,
            day_month,
            has_level,
            first_type: shares_table(&types_list, FIRST_TYPE)?,
            per_person: arrays_by_code(&types_list, PERMITS_PER_PERSON)?,
            next_type: tables_by_code(&types_list, &types_list, NEXT_TYPE)?,
            gap: Table::new(GAP_MONTHS).expect("positive gap weights"),
            date,
            province: tables_by_code(&types_list, &provinces_list, PROVINCE_WEIGHTS)?,
            country,
            level: shares_table(&levels_list, LEVEL_WEIGHTS)?,
            next_level: tables_by_code(&levels_list, &levels_list, NEXT_LEVEL)?,
            types,
            levels,
            provinces,
            countries,
        })
    }

    /// Draws a person's first permit and how many permits the person holds.
    fn first(&self, rng: &mut ChaCha8Rng) -> (Permit, u8) {
        let kind = self.first_type.sample(rng);
        let count = self.per_person[kind].sample(rng) as u8 + 1;
        let country = self.country[kind].sample(rng) as u16;
        let province = self.province[kind].sample(rng) as u8;
        let level = self.has_level[kind].then(|| self.level.sample(rng) as u8);
        let day = self.date[kind].sample(rng) as u16;
        let permit = Permit {
            kind: kind as u8,
            level,
            province,
            country,
            day,
        };
        (permit, count)
    }

    /// Draws the permit following `prev` for the same person, whose last
    /// study level was `last_level`; `None` when it would fall after the
    /// period.
    fn next(&self, rng: &mut ChaCha8Rng, prev: &Permit, last_level: Option<u8>) -> Option<Permit> {
        let kind = self.next_type[usize::from(prev.kind)].sample(rng);
        let month = usize::from(self.day_month[usize::from(prev.day)]) + self.gap.sample(rng) + 1;
        if month >= MONTHS {
            return None;
        }
        let (start, end) = (self.month_start[month], self.month_start[month + 1]);
        let day = start + scale(rng.next_u64(), u64::from(end - start)) as u16;
        let province = if scale(rng.next_u64(), 1000) < SAME_PROVINCE_PER_MILLE {
            prev.province
        } else {
            self.province[kind].sample(rng) as u8
        };
        let level = self.has_level[kind].then(|| {
            let table = match last_level {
                Some(l) => &self.next_level[usize::from(l)],
                None => &self.level,
            };
            table.sample(rng) as u8
        });
        Some(Permit {
            kind: kind as u8,
            level,
            province,
            country: prev.country,
            day,
        })
    }

    #[inline]
    fn date(&self, day: u16) -> &str {
        std::str::from_utf8(&self.dates[usize::from(day)]).expect("ASCII date")
    }
}

/// The permits data set: people one after the other, each person's permits
/// in a row.
struct Permits {
    model: PermitsModel,
    permit_id: RecordId,
    person_id: RecordId,
    /// Permits of the current person still to draw.
    remaining: u8,
    /// The current person's last permit drawn.
    last: Option<Permit>,
    /// The current person's last study level.
    last_level: Option<u8>,
    /// Whether the current person has a person id (has a permit written).
    numbered: bool,
}

impl Permits {
    fn new(model: PermitsModel) -> Result<Permits, TestdataError> {
        Ok(Permits {
            model,
            permit_id: RecordId::new(*b"TR"),
            person_id: RecordId::new(*b"PN"),
            remaining: 0,
            last: None,
            last_level: None,
            numbered: false,
        })
    }

    /// The next permit to write: the current person's next one in the
    /// period, or the first one in the period of a new person.
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Permit {
        loop {
            let p = match self.last {
                Some(prev) if self.remaining > 0 => {
                    self.remaining -= 1;
                    match self.model.next(rng, &prev, self.last_level) {
                        Some(p) => p,
                        None => {
                            // Censored at the end of the period: the person
                            // holds no more.
                            self.remaining = 0;
                            continue;
                        }
                    }
                }
                _ => {
                    let (p, count) = self.model.first(rng);
                    self.remaining = count - 1;
                    self.last_level = None;
                    self.numbered = false;
                    p
                }
            };
            self.last = Some(p);
            if p.level.is_some() {
                self.last_level = p.level;
            }
            if p.day >= self.model.first_day {
                if !self.numbered {
                    self.person_id.advance();
                    self.numbered = true;
                }
                return p;
            }
        }
    }
}

impl Dataset for Permits {
    const COLUMNS: &'static [(&'static str, ColumnType)] = &[
        (PERMITS_COLUMNS[0], ColumnType::Text),
        (PERMITS_COLUMNS[1], ColumnType::Text),
        (PERMITS_COLUMNS[2], ColumnType::Date),
        (PERMITS_COLUMNS[3], ColumnType::Text),
        (PERMITS_COLUMNS[4], ColumnType::NullableText),
        (PERMITS_COLUMNS[5], ColumnType::Text),
        (PERMITS_COLUMNS[6], ColumnType::Text),
    ];

    #[inline]
    fn next_row<S: RowSink>(&mut self, rng: &mut ChaCha8Rng, sink: &mut S) {
        let p = self.draw(rng);
        let m = &self.model;
        sink.text(self.permit_id.advance());
        sink.text(self.person_id.as_str());
        sink.date(m.date(p.day));
        sink.text(&m.types[usize::from(p.kind)]);
        match p.level {
            Some(l) => sink.text(&m.levels[usize::from(l)]),
            None => sink.null(),
        }
        sink.text(&m.provinces[usize::from(p.province)]);
        sink.text(&m.countries[usize::from(p.country)]);
    }
}
