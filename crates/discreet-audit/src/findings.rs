//! What counts as a disclosure: the policy and the classification of each
//! var's inferred interval.

use crate::propagate::Adjacency;
use crate::system::{Interval, RelationKind, RelationRef, System, Var};

/// Which inferred intervals are findings.
///
/// The defaults follow the IRCC rule the project implements: it hides counts
/// 1..4 behind `--` (width 4) and shows 5..7 as `5` (width 3), so the
/// narrowest uncertainty the rule itself leaves on a small count is three
/// values. An audit that lets an outsider do better than that on a count
/// under 10 has undone the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Counts `1..protect_nonzero_below` are sensitive. Default 10: the rule
    /// shows nothing below 5 and its first two shown values (`5`, `10`)
    /// stand for counts that reach down to 5 and 8, so every count under 10
    /// is one the rule treats as small. A cell pinned to one value is
    /// [`FindingKind::Disclosed`] when its shown domain contains a sensitive
    /// count: either the count is small, or the attacker learnt whether it
    /// is. 0 or 1 makes no count sensitive.
    pub protect_nonzero_below: u64,
    /// Also report as disclosed a cell pinned to one value outside the
    /// sensitive range, provided the audit learnt it (its shown domain
    /// allowed more than one value). Default `false`: an exact large count is
    /// not, by the IRCC note, what rounding protects against, but a stricter
    /// reviewer may want every rounding undone listed.
    pub pinned_is_finding_for_all: bool,
    /// An interval of fewer than `min_width` values that meets the sensitive
    /// range is [`FindingKind::Narrowed`]. Default 3, the narrowest
    /// uncertainty the rule leaves on a small count (a shown `5`): anything
    /// narrower ("1 or 2") tells more than any published value does.
    pub min_width: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            protect_nonzero_below: 10,
            pinned_is_finding_for_all: false,
            min_width: 3,
        }
    }
}

impl Policy {
    /// The sensitive counts as `lo..=hi`, or `None` when there are none.
    fn sensitive(&self) -> Option<(u64, u64)> {
        (self.protect_nonzero_below >= 2).then(|| (1, self.protect_nonzero_below - 1))
    }

    /// Whether some inferred interval of a var with shown `domain` could be
    /// a finding: its domain meets the sensitive range, or every pinned cell
    /// is one. The audit spends LP and integer solves only on such vars;
    /// the others keep their propagated interval, which is sound.
    pub(crate) fn may_flag(&self, domain: Interval) -> bool {
        self.pinned_is_finding_for_all || self.sensitive().is_some_and(|(a, b)| domain.meets(a, b))
    }

    /// The finding, if any, for a var with shown `domain` whose inferred
    /// interval is `interval` (consistent, non-empty).
    pub fn classify(&self, domain: Interval, interval: Interval) -> Option<FindingKind> {
        let sensitive = self.sensitive();
        if interval.is_pinned() {
            // The domain, not the value: a shown 10 pinned to 12 still tells
            // the attacker the count was not 8 or 9, which the rule hid. A
            // cell published exactly as 3 is reported too: the audit does
            // not trust that the rule was applied.
            if let Some((a, b)) = sensitive {
                if domain.meets(a, b) {
                    return Some(FindingKind::Disclosed);
                }
            }
            if self.pinned_is_finding_for_all && !domain.is_pinned() {
                return Some(FindingKind::Disclosed);
            }
            return None;
        }
        let (a, b) = sensitive?;
        match interval.width() {
            Some(w) if w < self.min_width && interval.meets(a, b) => Some(FindingKind::Narrowed),
            _ => None,
        }
    }
}

/// The kind of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// The cell's value is known exactly and the policy protects it.
    Disclosed,
    /// The cell is known to lie in fewer values than the policy requires.
    Narrowed,
    /// The relations and domains admit no value at all: the release
    /// contradicts itself (a wrong total, a wrong rule, a bug upstream), and
    /// nothing inferred about its block can be trusted.
    Inconsistent,
}

/// One finding about one var.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The cell concerned.
    pub var: Var,
    /// What was found.
    pub kind: FindingKind,
    /// Smallest value the outsider can infer. For
    /// [`FindingKind::Inconsistent`], the bounds that crossed (`lo > hi`),
    /// or the domain when the LP found the contradiction.
    pub lo: u64,
    /// Largest value the outsider can infer (`None`: unbounded).
    pub hi: Option<u64>,
    /// What the cell's shown value alone allowed, as evidence.
    pub domain: Interval,
    /// For an inconsistency found by propagation, the relation (index in the
    /// order added) that exposed it.
    pub relation: Option<usize>,
}

/// What one relation, taken alone, proves about one of its cells, given
/// the intervals inferred for its other cells: the reason a finding's
/// bound holds, in a form a reviewer can check by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelationBound {
    /// The relation (index in the order added).
    pub relation: usize,
    /// The interval the relation alone allows the cell.
    pub implied: Interval,
    /// Whether that interval reaches the cell's inferred lower bound.
    pub gives_lo: bool,
    /// Whether it reaches the cell's inferred upper bound.
    pub gives_hi: bool,
}

/// For every relation `var` is in, the interval it implies for `var` from
/// the other cells' `intervals` (an audit's result), and whether that
/// alone reaches `var`'s inferred bounds. When no relation reaches a bound
/// alone, the bound comes from several relations at once (the LP or the
/// integer step).
pub fn relation_bounds(
    system: &System,
    adjacency: &Adjacency,
    intervals: &[Interval],
    var: Var,
) -> Vec<RelationBound> {
    let at = |v: Var| intervals[v as usize];
    let mine = at(var);
    adjacency
        .of(var)
        .iter()
        .map(|&r| {
            let rel = system.relation(r as usize);
            let implied = implied_by(&rel, var, &at);
            RelationBound {
                relation: r as usize,
                implied,
                gives_lo: implied.lo >= mine.lo,
                gives_hi: matches!((implied.hi, mine.hi), (Some(a), Some(b)) if a <= b),
            }
        })
        .collect()
}

/// The interval `rel` alone implies for `var`, the other cells within `at`.
fn implied_by(rel: &RelationRef<'_>, var: Var, at: &impl Fn(Var) -> Interval) -> Interval {
    // The sum of upper bounds, `None` when one is unbounded.
    let sum_hi = |vars: &mut dyn Iterator<Item = Var>| {
        let mut s = 0u64;
        for v in vars {
            s = s.saturating_add(at(v).hi?);
        }
        Some(s)
    };
    let others = || rel.parts.iter().copied().filter(move |&p| p != var);
    if rel.total == var {
        let lo_sum: u64 = rel.parts.iter().map(|&p| at(p).lo).sum();
        let lo = match rel.kind {
            RelationKind::Additive => lo_sum,
            RelationKind::Distinct => rel.parts.iter().map(|&p| at(p).lo).max().unwrap_or(0),
        };
        return Interval {
            lo,
            hi: sum_hi(&mut rel.parts.iter().copied()),
        };
    }
    let total = at(rel.total);
    // Both kinds: total <= sum of parts, so this part >= total - the others.
    let lo = sum_hi(&mut others()).map_or(0, |s| total.lo.saturating_sub(s));
    let hi = match rel.kind {
        RelationKind::Additive => {
            let lo_others: u64 = others().map(|p| at(p).lo).sum();
            total.hi.map(|h| h.saturating_sub(lo_others))
        }
        RelationKind::Distinct => total.hi,
    };
    Interval { lo, hi }
}
