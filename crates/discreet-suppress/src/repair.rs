//! Audit and repair: run the audit on the whole release, hide a cheap
//! neighbour of every cell it finds, and repeat until it finds nothing.
//!
//! This is how the IRCC rule is made safe (rule `ircc-repaired`), and the
//! last step of the other methods: whatever the linear-algebra methods
//! leave that the audit can still narrow (bounds, non-negativity, distinct
//! relations) is repaired the same way. Nothing is ever unhidden, so the
//! loop ends: each round hides at least one more cell or stops.

use std::collections::HashSet;
use std::fmt;

use discreet_audit::{
    audit, audit_focused, Adjacency, AuditOptions, FindingKind, Interval, RelationKind, System, Var,
};

use crate::problem::{Problem, Role};

/// How to repair.
#[derive(Clone, Debug)]
pub struct RepairOptions {
    /// The audit that must end clean; its policy is the protection target.
    pub audit: AuditOptions,
    /// Rounds before giving up (each round is one audit). Default 200.
    pub max_rounds: usize,
    /// Early rounds run a quicker audit (the same policy without the
    /// neighbourhood LP on large blocks) until it is clean; from then on
    /// rounds run [`RepairOptions::audit`], so the release still ends
    /// clean under the full audit. Most findings are found by the quick
    /// audit already, and a full audit of a 20,000-cell block costs
    /// seconds. Default `true`. (Whatever this says, a full round that
    /// hid cells is followed by rounds focused on what changed, see
    /// [`discreet_audit::audit_focused`], and a full round ends the
    /// repair; when no block gets neighbourhood LPs the quick audit is
    /// the full one and is not run twice.)
    pub quick_rounds_first: bool,
}

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            audit: AuditOptions::default(),
            max_rounds: 200,
            quick_rounds_first: true,
        }
    }
}

impl RepairOptions {
    /// The audit of the early rounds.
    fn quick_audit(&self) -> AuditOptions {
        AuditOptions {
            local_lp_vars: 0,
            ..self.audit.clone()
        }
    }
}

/// What a repair did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repair {
    /// The cells hidden by the repair, sorted.
    pub hidden: Vec<Var>,
    /// Audit rounds run (the last one found nothing).
    pub rounds: usize,
    /// Findings of the first audit (the quick one, see
    /// [`RepairOptions::quick_rounds_first`]): disclosed, narrowed.
    pub initial_findings: (usize, usize),
}

/// Why a repair failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepairError {
    /// The release contradicts itself: a bug upstream, not a disclosure.
    Inconsistent {
        /// A cell of a contradictory block.
        var: Var,
    },
    /// A finding has no cell left that may be hidden near it (every cell
    /// that shares a sum with it, or with the hidden cells around it, is
    /// hidden already or must be published).
    Stuck {
        /// The cell that stays exposed.
        var: Var,
        /// Findings left.
        findings: usize,
    },
    /// Still findings after [`RepairOptions::max_rounds`] rounds.
    TooManyRounds {
        /// Findings left.
        findings: usize,
    },
}

impl RepairError {
    /// The message, with each cell named by `name` (the caller knows the
    /// tables; [`fmt::Display`] names cells `cell N`).
    pub fn describe(&self, name: &dyn Fn(Var) -> String) -> String {
        match self {
            RepairError::Inconsistent { var } => format!(
                "the release contradicts itself around cell {}; this is a bug, not a disclosure",
                name(*var)
            ),
            RepairError::Stuck { var, findings } => format!(
                "cell {} stays exposed: every cell within {SEARCH_DEPTH} sums of it (through hidden cells) is hidden already or must be published ({findings} findings left)",
                name(*var)
            ),
            RepairError::TooManyRounds { findings } => {
                format!("{findings} findings left after the last repair round")
            }
        }
    }
}

impl fmt::Display for RepairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&|v| v.to_string()))
    }
}

impl std::error::Error for RepairError {}

/// Repairs `problem`: `problem.system`'s domains are what each cell shows
/// (primary and forced-suppressed cells already hidden); a cell hidden by
/// the repair gets `hidden_domain` (what an `x` allows). Candidates are
/// hidden cheapest first (`problem.cost`); forced-publish cells never are.
/// Returns the cells hidden; the caller shows them as `x`.
pub fn repair(
    problem: &Problem,
    hidden_domain: Interval,
    options: &RepairOptions,
) -> Result<Repair, RepairError> {
    let mut system: System = problem.system.clone();
    let n = system.n_vars();
    let links = Links::new(&system);
    let mut hidden = vec![false; n];
    for (v, r) in problem.roles.iter().enumerate() {
        hidden[v] = matches!(r, Role::Primary | Role::ForcedSuppress);
    }
    let mut out = Repair::default();
    let quick = options.quick_audit();
    let mut thorough = !options.quick_rounds_first;
    // After a thorough round that hid cells, the next rounds examine only
    // the cells around what changed (hiding a cell widens what an outsider
    // can infer everywhere else, so new findings appear at the cells just
    // hidden, and old ones stay where they were); when such a round is
    // clean, a full audit decides.
    let mut focus: Option<Vec<bool>> = None;
    for round in 1..=options.max_rounds {
        let audit_options = if thorough { &options.audit } else { &quick };
        let result = match &focus {
            Some(f) => audit_focused(&system, audit_options, f),
            None => audit(&system, audit_options),
        };
        if round == 1 {
            out.initial_findings = (
                result.count(FindingKind::Disclosed),
                result.count(FindingKind::Narrowed),
            );
        }
        out.rounds = round;
        if result.findings.is_empty() {
            if focus.take().is_some() {
                continue;
            }
            // The quick audit differs from the full one only on blocks
            // that get neighbourhood LPs: without any, it was the full one.
            if !thorough && result.neighbourhood_lp_blocks > 0 && options.audit.local_lp_vars > 0 {
                thorough = true;
                continue;
            }
            out.hidden.sort_unstable();
            return Ok(out);
        }
        let mut progress = false;
        let mut stuck = None;
        let hidden_before = out.hidden.len();
        // A finding next to a cell hidden this round may be fixed already:
        // it waits for the next audit rather than costing another cell.
        let mut touched = vec![false; system.n_relations()];
        for f in &result.findings {
            if f.kind == FindingKind::Inconsistent {
                return Err(RepairError::Inconsistent { var: f.var });
            }
            if links.of(f.var).iter().any(|&r| touched[r as usize]) {
                continue;
            }
            match links.cheapest_neighbour(f.var, problem, &hidden) {
                Some(group) => {
                    for &v in group {
                        if !hidden[v as usize] {
                            hidden[v as usize] = true;
                            system.set_domain(v, hidden_domain);
                            out.hidden.push(v);
                            progress = true;
                            for &r in links.of(v) {
                                touched[r as usize] = true;
                            }
                        }
                    }
                }
                None => stuck = stuck.or(Some(f.var)),
            }
        }
        if !progress {
            return Err(RepairError::Stuck {
                var: stuck.unwrap_or(result.findings[0].var),
                findings: result.findings.len(),
            });
        }
        if thorough {
            let mut f = vec![false; n];
            for finding in &result.findings {
                f[finding.var as usize] = true;
            }
            for &v in &out.hidden[hidden_before..] {
                for &r in links.of(v) {
                    for u in system.relation(r as usize).cells() {
                        f[u as usize] = true;
                    }
                }
            }
            focus = Some(f);
        }
    }
    let left = audit(&system, &options.audit).findings.len();
    if left == 0 {
        out.hidden.sort_unstable();
        return Ok(out);
    }
    Err(RepairError::TooManyRounds { findings: left })
}

/// How many relations away from a finding the repair looks for a cell to
/// hide, through hidden cells (1: only the sums the finding is in).
const SEARCH_DEPTH: usize = 8;
/// At most this many relations are searched for one finding.
const SEARCH_RELATIONS: usize = 100_000;

/// Which relations each var is in, and which vars must share its fate.
struct Links {
    /// Relations of each var.
    adjacency: Adjacency,
    /// Vars equal to var v (one-part additive relations), transitively:
    /// `class[v]` names its class, `members` lists each class's vars.
    class: Vec<u32>,
    members: Vec<Vec<Var>>,
}

impl Links {
    fn new(system: &System) -> Self {
        let n = system.n_vars();
        // Union-find over equalities: a cell shown in two tables is hidden
        // in both or it is not hidden at all.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn root(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        for r in system.relations() {
            if r.kind == RelationKind::Additive && r.parts.len() == 1 {
                let (a, b) = (root(&mut parent, r.total), root(&mut parent, r.parts[0]));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        let mut class = vec![0u32; n];
        let mut index = vec![u32::MAX; n];
        let mut members: Vec<Vec<Var>> = Vec::new();
        for v in 0..n as u32 {
            let r = root(&mut parent, v) as usize;
            if index[r] == u32::MAX {
                index[r] = members.len() as u32;
                members.push(Vec::new());
            }
            class[v as usize] = index[r];
            members[index[r] as usize].push(v);
        }
        Links {
            adjacency: Adjacency::new(system),
            class,
            members,
        }
    }

    /// The relations `v` is in.
    fn of(&self, v: Var) -> &[u32] {
        self.adjacency.of(v)
    }

    /// The cells to hide for a finding on `var`: the cheapest hideable cell
    /// (with its equals) among the relations of `var`, looking first at the
    /// relations with the fewest hidden cells, which are the ones that pin it.
    /// When every cell sharing a sum with `var` is hidden already or must be
    /// published, what pins it comes through the hidden ones: the search
    /// goes on through their relations, nearest first, up to
    /// [`SEARCH_DEPTH`] relations away.
    fn cheapest_neighbour(&self, var: Var, problem: &Problem, hidden: &[bool]) -> Option<&[Var]> {
        let system = problem.system;
        let mut seen_rel: HashSet<u32> = HashSet::new();
        let mut seen_var: HashSet<Var> = HashSet::from([var]);
        let mut frontier = vec![var];
        for _ in 0..SEARCH_DEPTH {
            let mut best: Option<(usize, u64, Var)> = None;
            let mut next = Vec::new();
            for &u in &frontier {
                for &r in self.of(u) {
                    if !seen_rel.insert(r) {
                        continue;
                    }
                    let rel = system.relation(r as usize);
                    let cells = || rel.cells();
                    let hidden_here = cells().filter(|&v| hidden[v as usize]).count();
                    for v in cells() {
                        if hidden[v as usize] {
                            if seen_var.insert(v) {
                                next.push(v);
                            }
                            continue;
                        }
                        if v == var || !self.hideable(v, problem) {
                            continue;
                        }
                        let key = (hidden_here, problem.cost[v as usize], v);
                        if best.is_none_or(|b| key < b) {
                            best = Some(key);
                        }
                    }
                }
            }
            if let Some((_, _, v)) = best {
                return Some(&self.members[self.class[v as usize] as usize][..]);
            }
            if next.is_empty() || seen_rel.len() > SEARCH_RELATIONS {
                return None;
            }
            next.sort_unstable();
            frontier = next;
        }
        None
    }

    /// A candidate whose equals in other tables (or earlier releases) are
    /// candidates too or hidden already: hiding it keeps equal cells shown
    /// alike, and an equal cell that must be shown makes hiding it useless.
    fn hideable(&self, v: Var, problem: &Problem) -> bool {
        problem.roles[v as usize] == Role::Candidate
            && self.members[self.class[v as usize] as usize]
                .iter()
                .all(|&w| problem.roles[w as usize] != Role::ForcedPublish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use discreet_audit::SystemBuilder;

    use discreet_audit::synthetic::ircc_domain as shown;

    /// One sum: the first count the total of the others, each shown under
    /// the IRCC rule.
    fn one_sum(counts: &[u64]) -> System {
        let mut b = SystemBuilder::new();
        let v: Vec<Var> = counts.iter().map(|&c| b.add_var(shown(c))).collect();
        b.add_additive(v[0], &v[1..]).unwrap();
        b.build()
    }

    fn problem_of<'a>(system: &'a System, counts: &'a [u64]) -> Problem<'a> {
        Problem {
            system,
            counts,
            roles: counts
                .iter()
                .map(|&c| match c {
                    0 => Role::ForcedPublish,
                    1..=4 => Role::Primary,
                    _ => Role::Candidate,
                })
                .collect(),
            cost: counts.to_vec(),
        }
    }

    #[test]
    fn a_finding_with_nothing_left_to_hide_is_reported_not_looped() {
        // The README's example: four months shown `--` under a year shown
        // `--` pin every month to 1. Every cell is primary, so nothing may
        // be hidden near them and the repair must say so, not loop.
        let counts = [4u64, 1, 1, 1, 1];
        let system = one_sum(&counts);
        let p = problem_of(&system, &counts);
        let e = repair(&p, Interval::at_least(5), &RepairOptions::default()).unwrap_err();
        assert!(matches!(e, RepairError::Stuck { .. }), "{e}");
    }

    #[test]
    fn a_clean_release_takes_one_audit_unless_a_block_needs_neighbourhoods() {
        // total 30 = 12 + 4 + 14: the `--` keeps 1..4, nothing to repair.
        let counts = [30u64, 12, 4, 14];
        let system = one_sum(&counts);
        let p = problem_of(&system, &counts);
        let r = repair(&p, Interval::at_least(5), &RepairOptions::default()).unwrap();
        // The quick audit is the full one when every block gets one LP.
        assert_eq!((r.rounds, r.hidden.len()), (1, 0));
        // A block too large for one LP: the full audit has the last word.
        let mut options = RepairOptions::default();
        options.audit.lp_max_block_vars = 2;
        let r = repair(&p, Interval::at_least(5), &options).unwrap();
        assert_eq!((r.rounds, r.hidden.len()), (2, 0));
        // Too large for neighbourhood LPs as well: propagation alone either
        // way.
        options.audit.local_lp_max_block_vars = 3;
        let r = repair(&p, Interval::at_least(5), &options).unwrap();
        assert_eq!((r.rounds, r.hidden.len()), (1, 0));
    }

    #[test]
    fn a_pinned_cell_gets_its_cheapest_neighbour_hidden() {
        // total 23 (shown 25 -> 23..27), parts 12 (10 -> 8..12), 4 (--), 7 (5 -> 5..7):
        // the total is at most 12 + 4 + 7 = 23, so everything is pinned.
        let counts = [23u64, 12, 4, 7];
        let system = one_sum(&counts);
        let p = problem_of(&system, &counts);
        let r = repair(&p, Interval::at_least(5), &RepairOptions::default()).unwrap();
        // The cheapest candidate is the 7.
        assert_eq!(r.hidden, vec![3]);
        assert!(r.initial_findings.0 > 0);
        let mut fixed = system.clone();
        fixed.set_domain(3, Interval::at_least(5));
        assert!(audit(&fixed, &AuditOptions::default()).is_clean());
    }

    #[test]
    fn a_finding_walled_in_by_hidden_cells_gets_a_cell_further_out_hidden() {
        // Exact counts (threshold style). x (2, hidden) is in s = x + 19 and
        // u = x + 19 with s and u hidden and both 19s published; every cell
        // sharing a sum with x is hidden or must be published. What pins x
        // comes through s and u: 26 = s + z1 and 27 = u + z2 with z1, z2
        // shown as 4..6 put s in 20..22 and u in 21..23, so x in 2..3.
        // The cheaper of z1 and z2, two sums away, is hidden.
        let ex = Interval::exact;
        let domains = [
            Interval::at_least(1), // 0 x
            ex(19),                // 1 y
            Interval::at_least(1), // 2 s
            Interval::at_least(1), // 3 u
            ex(19),                // 4 v
            Interval::new(4, 6),   // 5 z1
            ex(26),                // 6 t1
            Interval::new(4, 6),   // 7 z2
            ex(27),                // 8 t2
        ];
        let counts = [2u64, 19, 21, 21, 19, 5, 26, 6, 27];
        let mut b = SystemBuilder::new();
        let v: Vec<Var> = domains.iter().map(|&d| b.add_var(d)).collect();
        b.add_additive(v[2], &[v[0], v[1]]).unwrap();
        b.add_additive(v[3], &[v[0], v[4]]).unwrap();
        b.add_additive(v[6], &[v[2], v[5]]).unwrap();
        b.add_additive(v[8], &[v[3], v[7]]).unwrap();
        let system = b.build();
        use Role::*;
        let p = Problem {
            system: &system,
            counts: &counts,
            roles: vec![
                Primary,
                ForcedPublish,
                ForcedSuppress,
                ForcedSuppress,
                ForcedPublish,
                Candidate,
                ForcedPublish,
                Candidate,
                ForcedPublish,
            ],
            cost: counts.to_vec(),
        };
        let r = repair(&p, Interval::at_least(1), &RepairOptions::default()).unwrap();
        assert_eq!(r.hidden, vec![5]);
        assert!(r.initial_findings.1 > 0);
        let mut fixed = system.clone();
        fixed.set_domain(5, Interval::at_least(1));
        assert!(audit(&fixed, &AuditOptions::default()).is_clean());
    }

    #[test]
    fn equal_cells_are_hidden_together_and_forced_ones_never() {
        // Table A: total 23 = 12 + 4 + 7; table B repeats the 7 as a cell of its own.
        let counts = [23u64, 12, 4, 7, 7];
        let mut b = SystemBuilder::new();
        let v: Vec<Var> = counts.iter().map(|&c| b.add_var(shown(c))).collect();
        b.add_additive(v[0], &v[1..4]).unwrap();
        b.add_additive(v[3], &v[4..5]).unwrap();
        let system = b.build();
        let mut p = problem_of(&system, &counts);
        let r = repair(&p, Interval::at_least(5), &RepairOptions::default()).unwrap();
        assert_eq!(r.hidden, vec![3, 4]);
        // Forcing the copy published leaves the 12 and the total next to the
        // first finding (the 12, whose shown 10 reaches down to 8): the total
        // goes, since the 12 itself is the cell to protect.
        p.roles[4] = Role::ForcedPublish;
        let r = repair(&p, Interval::at_least(5), &RepairOptions::default()).unwrap();
        assert_eq!(r.hidden, vec![0]);
    }
}
