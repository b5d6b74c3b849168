//! The input of an audit: one integer unknown per published cell, the
//! interval its shown value allows, and the sum relations that tie cells.

use std::fmt;

/// One published cell, numbered across all the tables of a release.
///
/// `u32` because a release never has four billion cells and the relation
/// arrays are the largest part of the model: half the memory of `usize`.
pub type Var = u32;

/// Internal marker for "no upper bound"; a real count never reaches it.
pub(crate) const INF: u64 = u64::MAX;

/// A closed interval of non-negative integers, `lo..=hi`, with `hi == None`
/// meaning unbounded above.
///
/// Used both for the a-priori domain of a cell (what its shown value allows)
/// and for the result of the audit (what an outsider can infer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Smallest value allowed.
    pub lo: u64,
    /// Largest value allowed; `None` when unbounded above (a suppressed cell
    /// with no a-priori bound, for instance).
    pub hi: Option<u64>,
}

impl Interval {
    /// `lo..=hi`. An empty interval (`lo > hi`) is accepted here and reported
    /// by the audit as an inconsistency, since a release can contain one.
    pub fn new(lo: u64, hi: u64) -> Self {
        Interval { lo, hi: Some(hi) }
    }

    /// Exactly `v`: a cell published without protection, or a shown `0`.
    pub fn exact(v: u64) -> Self {
        Interval::new(v, v)
    }

    /// `lo..` with no upper bound.
    pub fn at_least(lo: u64) -> Self {
        Interval { lo, hi: None }
    }

    /// Whether `v` lies in the interval.
    pub fn contains(&self, v: u64) -> bool {
        v >= self.lo && !matches!(self.hi, Some(h) if v > h)
    }

    /// Number of integers in the interval (`hi - lo + 1`), `None` when
    /// unbounded, `Some(0)` when empty.
    pub fn width(&self) -> Option<u64> {
        self.hi
            .map(|h| if h < self.lo { 0 } else { h - self.lo + 1 })
    }

    /// Whether the interval is a single value.
    pub fn is_pinned(&self) -> bool {
        self.hi == Some(self.lo)
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        matches!(self.hi, Some(h) if h < self.lo)
    }

    /// Whether it shares at least one value with `lo..=hi`.
    pub fn meets(&self, lo: u64, hi: u64) -> bool {
        lo <= hi && self.lo <= hi && !matches!(self.hi, Some(h) if h < lo)
    }

    pub(crate) fn hi_raw(&self) -> u64 {
        self.hi.unwrap_or(INF)
    }

    pub(crate) fn from_raw(lo: u64, hi: u64) -> Self {
        Interval {
            lo,
            hi: (hi != INF).then_some(hi),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hi {
            Some(h) => write!(f, "[{}, {}]", self.lo, h),
            None => write!(f, "[{}, inf)", self.lo),
        }
    }
}

/// How a total relates to its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelationKind {
    /// `total = sum of parts`: counts of events or of people who fall in
    /// exactly one part (admissions by month, by country...).
    Additive,
    /// `max(parts) <= total <= sum of parts`: distinct people, who may fall
    /// in several parts (permit holders by month, counted once a year).
    Distinct,
}

/// A total and the cells it is made of. An equality between two cells of
/// linked tables is an additive relation with one part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// The cell that totals the parts.
    pub total: Var,
    /// The cells totalled; at least one, no repeats, not the total itself.
    pub parts: Vec<Var>,
    /// Additive or distinct.
    pub kind: RelationKind,
}

impl RelationRef<'_> {
    /// The total, then the parts.
    pub fn cells(&self) -> impl Iterator<Item = Var> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// A relation as stored in a [`System`], borrowing its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelationRef<'a> {
    /// The cell that totals the parts.
    pub total: Var,
    /// The cells totalled.
    pub parts: &'a [Var],
    /// Additive or distinct.
    pub kind: RelationKind,
}

/// Why a relation was refused by [`SystemBuilder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// A var index at or past the number of vars.
    UnknownVar {
        /// Index of the refused relation (in the order added).
        relation: usize,
        /// The offending var.
        var: Var,
    },
    /// A relation without parts: it would say nothing, so it is a bug of the
    /// caller rather than a constraint.
    NoParts {
        /// Index of the refused relation.
        relation: usize,
    },
    /// A part listed twice: no table sums a cell twice.
    DuplicatePart {
        /// Index of the refused relation.
        relation: usize,
        /// The repeated var.
        var: Var,
    },
    /// The total listed among its own parts.
    TotalAmongParts {
        /// Index of the refused relation.
        relation: usize,
        /// The total.
        var: Var,
    },
    /// More vars than a `Var` can number.
    TooManyVars,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::UnknownVar { relation, var } => {
                write!(f, "relation {relation}: var {var} does not exist")
            }
            BuildError::NoParts { relation } => write!(f, "relation {relation} has no parts"),
            BuildError::DuplicatePart { relation, var } => {
                write!(
                    f,
                    "relation {relation}: var {var} is listed twice among the parts"
                )
            }
            BuildError::TotalAmongParts { relation, var } => {
                write!(
                    f,
                    "relation {relation}: total {var} is also one of its parts"
                )
            }
            BuildError::TooManyVars => write!(f, "more vars than fit in a u32"),
        }
    }
}

impl std::error::Error for BuildError {}

/// The cells of a release as integer unknowns with their domains and the
/// relations between them. Built with [`SystemBuilder`], which validates
/// every index so the audit never has to.
///
/// Relations are stored flat (compressed rows: total first, then parts)
/// because a million-cell release has millions of relation entries and one
/// allocation per relation would dominate the build time.
#[derive(Clone, Debug)]
pub struct System {
    pub(crate) domains: Vec<Interval>,
    /// `rel_start[r]..rel_start[r + 1]` indexes `rel_vars` for relation `r`.
    pub(crate) rel_start: Vec<usize>,
    /// Total first, then the parts.
    pub(crate) rel_vars: Vec<Var>,
    pub(crate) rel_kind: Vec<RelationKind>,
}

impl System {
    /// Number of vars (published cells).
    pub fn n_vars(&self) -> usize {
        self.domains.len()
    }

    /// Number of relations.
    pub fn n_relations(&self) -> usize {
        self.rel_kind.len()
    }

    /// The a-priori domain of every var, by var.
    pub fn domains(&self) -> &[Interval] {
        &self.domains
    }

    /// Replaces the domain of `v`, e.g. to ask "what if this cell were
    /// published differently" without rebuilding the relations.
    ///
    /// # Panics
    /// When `v` is not a var of the system.
    pub fn set_domain(&mut self, v: Var, domain: Interval) {
        self.domains[v as usize] = domain;
    }

    /// Relation `r` (in the order added).
    pub fn relation(&self, r: usize) -> RelationRef<'_> {
        let vars = &self.rel_vars[self.rel_start[r]..self.rel_start[r + 1]];
        RelationRef {
            total: vars[0],
            parts: &vars[1..],
            kind: self.rel_kind[r],
        }
    }

    /// All relations, in the order added.
    pub fn relations(&self) -> impl Iterator<Item = RelationRef<'_>> + '_ {
        (0..self.n_relations()).map(move |r| self.relation(r))
    }

    /// Total then parts of relation `r`.
    pub(crate) fn rel(&self, r: usize) -> &[Var] {
        &self.rel_vars[self.rel_start[r]..self.rel_start[r + 1]]
    }
}

/// Builds a [`System`]: add vars with their domains, then relations between
/// them. Every relation is checked when added, so an error names the call
/// that caused it.
#[derive(Clone, Debug, Default)]
pub struct SystemBuilder {
    domains: Vec<Interval>,
    rel_start: Vec<usize>,
    rel_vars: Vec<Var>,
    rel_kind: Vec<RelationKind>,
    /// Scratch for the duplicate check: the last relation that saw each var.
    seen: Vec<u32>,
}

impl SystemBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        SystemBuilder {
            rel_start: vec![0],
            ..Default::default()
        }
    }

    /// An empty builder with room for `vars` vars and `entries` relation
    /// entries (one per total and per part), to avoid regrowth on big
    /// releases.
    pub fn with_capacity(vars: usize, relations: usize, entries: usize) -> Self {
        let mut rel_start = Vec::with_capacity(relations + 1);
        rel_start.push(0);
        SystemBuilder {
            domains: Vec::with_capacity(vars),
            rel_start,
            rel_vars: Vec::with_capacity(entries),
            rel_kind: Vec::with_capacity(relations),
            seen: Vec::new(),
        }
    }

    /// Adds a var with its a-priori domain and returns it.
    ///
    /// # Panics
    /// Past `u32::MAX` vars (see [`SystemBuilder::try_add_var`]).
    pub fn add_var(&mut self, domain: Interval) -> Var {
        self.try_add_var(domain)
            .expect("more vars than fit in a u32")
    }

    /// Adds a var with its a-priori domain, or refuses when `Var` is full.
    pub fn try_add_var(&mut self, domain: Interval) -> Result<Var, BuildError> {
        let v = Var::try_from(self.domains.len()).map_err(|_| BuildError::TooManyVars)?;
        if v == Var::MAX {
            return Err(BuildError::TooManyVars);
        }
        self.domains.push(domain);
        Ok(v)
    }

    /// Number of vars added so far.
    pub fn n_vars(&self) -> usize {
        self.domains.len()
    }

    /// Adds `total = sum of parts`.
    pub fn add_additive(&mut self, total: Var, parts: &[Var]) -> Result<usize, BuildError> {
        self.add_parts(total, parts, RelationKind::Additive)
    }

    /// Adds `max(parts) <= total <= sum of parts` (distinct counts).
    pub fn add_distinct(&mut self, total: Var, parts: &[Var]) -> Result<usize, BuildError> {
        self.add_parts(total, parts, RelationKind::Distinct)
    }

    /// Adds `a = b` (the same cell published in two linked tables).
    pub fn add_equal(&mut self, a: Var, b: Var) -> Result<usize, BuildError> {
        self.add_parts(a, &[b], RelationKind::Additive)
    }

    /// Adds a relation and returns its index.
    pub fn add_relation(&mut self, relation: &Relation) -> Result<usize, BuildError> {
        self.add_parts(relation.total, &relation.parts, relation.kind)
    }

    fn add_parts(
        &mut self,
        total: Var,
        parts: &[Var],
        kind: RelationKind,
    ) -> Result<usize, BuildError> {
        let relation = self.rel_kind.len();
        let n = self.domains.len();
        if parts.is_empty() {
            return Err(BuildError::NoParts { relation });
        }
        if self.seen.len() < n {
            self.seen.resize(n, u32::MAX);
        }
        // Marks are relation numbers, so the scratch never needs clearing.
        let mark = relation as u32;
        for &v in std::iter::once(&total).chain(parts) {
            if v as usize >= n {
                return Err(BuildError::UnknownVar { relation, var: v });
            }
        }
        self.seen[total as usize] = mark;
        let mut refused = None;
        for &p in parts {
            if p == total {
                refused = Some(BuildError::TotalAmongParts { relation, var: p });
                break;
            }
            if self.seen[p as usize] == mark {
                refused = Some(BuildError::DuplicatePart { relation, var: p });
                break;
            }
            self.seen[p as usize] = mark;
        }
        if let Some(e) = refused {
            // The next relation gets the same number, so wipe this one's
            // marks or they would look like repeats.
            for &q in std::iter::once(&total).chain(parts) {
                self.seen[q as usize] = u32::MAX;
            }
            return Err(e);
        }
        self.rel_vars.push(total);
        self.rel_vars.extend_from_slice(parts);
        self.rel_start.push(self.rel_vars.len());
        self.rel_kind.push(kind);
        Ok(relation)
    }

    /// The finished system.
    pub fn build(self) -> System {
        System {
            domains: self.domains,
            rel_start: self.rel_start,
            rel_vars: self.rel_vars,
            rel_kind: self.rel_kind,
        }
    }
}
