//! Helpers shared by the integration tests: problems from counts, and
//! checks of a suppression pattern that are independent of the crate's
//! code (dense floating-point elimination on the relations, and the audit's
//! LP).

#![allow(dead_code)]

use discreet_audit::{audit, AuditOptions, Interval, RelationKind, System, SystemBuilder, Var};
use discreet_suppress::{Problem, Role, Suppression};

/// A problem with cost = count (primaries 0).
pub fn problem<'a>(system: &'a System, counts: &'a [u64], roles: Vec<Role>) -> Problem<'a> {
    let cost = counts
        .iter()
        .zip(&roles)
        .map(|(&c, r)| if *r == Role::Primary { 0 } else { c })
        .collect();
    Problem {
        system,
        counts,
        roles,
        cost,
    }
}

/// Roles under the IRCC rule: counts 1..=4 primary, the rest candidates.
pub fn ircc_roles(counts: &[u64]) -> Vec<Role> {
    counts
        .iter()
        .map(|&c| {
            if (1..=4).contains(&c) {
                Role::Primary
            } else {
                Role::Candidate
            }
        })
        .collect()
}

/// The perturbations that leave every published cell unchanged, as seen
/// from each hidden cell: `profile[v]` is the value of `v` in each vector of
/// a basis of them (empty for a published cell). Computed independently of
/// the crate: dense Gauss-Jordan elimination in f64 with partial pivoting
/// on the additive relations restricted to the hidden cells (cells in
/// `known` count as published too).
pub struct Profiles {
    pub profile: Vec<Vec<f64>>,
}

const TOL: f64 = 1e-7;

impl Profiles {
    pub fn new(sys: &System, hidden: &[bool], known: &[Var]) -> Self {
        let n = sys.n_vars();
        let cols: Vec<usize> = (0..n)
            .filter(|&v| hidden[v] && !known.contains(&(v as Var)))
            .collect();
        let mut col_of = vec![usize::MAX; n];
        for (j, &v) in cols.iter().enumerate() {
            col_of[v] = j;
        }
        let h = cols.len();
        let mut a: Vec<Vec<f64>> = Vec::new();
        for rel in sys.relations() {
            if rel.kind != RelationKind::Additive {
                continue;
            }
            let mut row = vec![0.0; h];
            let mut any = false;
            if col_of[rel.total as usize] != usize::MAX {
                row[col_of[rel.total as usize]] += 1.0;
                any = true;
            }
            for &p in rel.parts {
                if col_of[p as usize] != usize::MAX {
                    row[col_of[p as usize]] -= 1.0;
                    any = true;
                }
            }
            if any {
                a.push(row);
            }
        }
        // Gauss-Jordan.
        let mut pivot_of_row: Vec<usize> = Vec::new();
        let mut r = 0;
        for j in 0..h {
            let best = (r..a.len()).max_by(|&x, &y| a[x][j].abs().total_cmp(&a[y][j].abs()));
            let Some(best) = best else { break };
            if a[best][j].abs() < TOL {
                continue;
            }
            a.swap(r, best);
            let p = a[r][j];
            for x in a[r].iter_mut() {
                *x /= p;
            }
            let pivot_row = a[r].clone();
            for (i, row) in a.iter_mut().enumerate() {
                if i != r && row[j].abs() > TOL {
                    let f = row[j];
                    for (x, y) in row.iter_mut().zip(&pivot_row) {
                        *x -= f * y;
                    }
                }
            }
            pivot_of_row.push(j);
            r += 1;
        }
        let mut is_pivot = vec![false; h];
        for &j in &pivot_of_row {
            is_pivot[j] = true;
        }
        let free: Vec<usize> = (0..h).filter(|&j| !is_pivot[j]).collect();
        let mut profile = vec![Vec::new(); n];
        for (j, &v) in cols.iter().enumerate() {
            profile[v] = vec![0.0; free.len()];
            if !is_pivot[j] {
                let k = free.iter().position(|&f| f == j).unwrap();
                profile[v][k] = 1.0;
            }
        }
        for (i, &j) in pivot_of_row.iter().enumerate() {
            let v = cols[j];
            for (k, &f) in free.iter().enumerate() {
                profile[v][k] = -a[i][f];
            }
        }
        Profiles { profile }
    }

    /// Whether hidden cell `v` is fixed (a linear function of what is
    /// published and known).
    pub fn fixed(&self, v: Var) -> bool {
        self.profile[v as usize].iter().all(|x| x.abs() < TOL)
    }

    /// Whether `v = lambda * u + constant` for some lambda: knowing `u`
    /// fixes `v`.
    pub fn parallel(&self, u: Var, v: Var) -> bool {
        let (pu, pv) = (&self.profile[u as usize], &self.profile[v as usize]);
        let Some(k) = (0..pu.len()).max_by(|&a, &b| pu[a].abs().total_cmp(&pu[b].abs())) else {
            return true;
        };
        if pu[k].abs() < TOL {
            return self.fixed(v);
        }
        let lambda = pv[k] / pu[k];
        pu.iter().zip(pv).all(|(a, b)| (b - lambda * a).abs() < TOL)
    }

    /// Whether `v - u` is fixed.
    pub fn same_moves(&self, u: Var, v: Var) -> bool {
        let (pu, pv) = (&self.profile[u as usize], &self.profile[v as usize]);
        pu.iter().zip(pv).all(|(a, b)| (a - b).abs() < TOL)
    }
}

/// Primaries fixed by the published cells (should be none).
pub fn fixed_primaries(p: &Problem, s: &Suppression) -> Vec<Var> {
    let prof = Profiles::new(p.system, &s.hidden, &[]);
    (0..p.roles.len() as Var)
        .filter(|&v| p.roles[v as usize] == Role::Primary && prof.fixed(v))
        .collect()
}

/// Pairs (count-1 hidden cell, primary) where the person of the first can
/// work out the second, other than the primary being equal to their own
/// cell (should be none with singleton protection).
pub fn singleton_disclosures(p: &Problem, s: &Suppression) -> Vec<(Var, Var)> {
    let prof = Profiles::new(p.system, &s.hidden, &[]);
    let n = p.roles.len();
    let singles: Vec<Var> = (0..n as Var)
        .filter(|&v| {
            p.counts[v as usize] == 1
                && matches!(p.roles[v as usize], Role::Primary | Role::ForcedSuppress)
        })
        .collect();
    let mut out = Vec::new();
    for &s1 in &singles {
        for q in 0..n as Var {
            if q == s1 || p.roles[q as usize] != Role::Primary {
                continue;
            }
            if prof.parallel(s1, q)
                && !(prof.same_moves(s1, q) && p.counts[q as usize] == p.counts[s1 as usize])
            {
                out.push((s1, q));
            }
        }
    }
    out
}

/// Relations with exactly one hidden cell that is not forced-suppress.
pub fn lonely_hidden(p: &Problem, s: &Suppression) -> Vec<usize> {
    p.system
        .relations()
        .enumerate()
        .filter(|(_, rel)| {
            let hidden: Vec<Var> = rel.cells().filter(|&v| s.hidden[v as usize]).collect();
            hidden.len() == 1 && p.roles[hidden[0] as usize] != Role::ForcedSuppress
        })
        .map(|(r, _)| r)
        .collect()
}

/// Primaries with a positive count that the audit's LP pins, with the
/// published cells exact and the hidden ones anywhere in `[0, inf)`.
pub fn lp_pinned_primaries(p: &Problem, s: &Suppression) -> Vec<Var> {
    let mut sys = p.system.clone();
    for v in 0..sys.n_vars() {
        let d = if s.hidden[v] {
            Interval::at_least(0)
        } else {
            Interval::exact(p.counts[v])
        };
        sys.set_domain(v as Var, d);
    }
    let r = audit(
        &sys,
        &AuditOptions {
            lp_max_block_vars: 100_000,
            threads: 1,
            ..AuditOptions::default()
        },
    );
    assert_eq!(r.inconsistent_blocks, 0, "the true table is feasible");
    (0..sys.n_vars() as Var)
        .filter(|&v| {
            p.roles[v as usize] == Role::Primary
                && p.counts[v as usize] > 0
                && r.intervals[v as usize].is_pinned()
        })
        .collect()
}

/// Every primary and forced-suppress cell hidden, no forced-publish cell
/// hidden, `secondary` = the hidden candidates.
pub fn check_roles(p: &Problem, s: &Suppression) {
    assert_eq!(s.hidden.len(), p.roles.len());
    for (v, r) in p.roles.iter().enumerate() {
        match r {
            Role::Primary | Role::ForcedSuppress => assert!(s.hidden[v], "var {v} {r:?}"),
            Role::ForcedPublish => assert!(!s.hidden[v], "var {v} forced publish"),
            Role::Candidate => {}
        }
    }
    let secondary: Vec<Var> = (0..p.roles.len() as Var)
        .filter(|&v| s.hidden[v as usize] && p.roles[v as usize] == Role::Candidate)
        .collect();
    assert_eq!(s.secondary, secondary);
}

/// Two tables cut from the same 3-D leaf counts: A = dims (0, 1) and B =
/// dims (0, 2) (each summed over the other), their cells tied by equalities
/// where they count the same rows (A(x, total) = B(x, total)). Returns the
/// system, the counts, and the two tables' offsets and children.
pub fn linked_pair(
    d0: discreet_audit::synthetic::Dim,
    d1: discreet_audit::synthetic::Dim,
    d2: discreet_audit::synthetic::Dim,
    leaf: &mut impl FnMut() -> u64,
) -> (System, Vec<u64>, Vec<discreet_suppress::TableLayout>) {
    use discreet_suppress::synthetic::table;
    let (l0, l1, l2) = (d0.leaves, d1.leaves, d2.leaves);
    let cube: Vec<u64> = (0..l0 * l1 * l2).map(|_| leaf()).collect();
    let mut a_leaves = Vec::new();
    for i in 0..l0 {
        for j in 0..l1 {
            a_leaves.push((0..l2).map(|k| cube[(i * l1 + j) * l2 + k]).sum::<u64>());
        }
    }
    let mut b_leaves = Vec::new();
    for i in 0..l0 {
        for k in 0..l2 {
            b_leaves.push((0..l1).map(|j| cube[(i * l1 + j) * l2 + k]).sum::<u64>());
        }
    }
    let mut ai = a_leaves.into_iter();
    let a = table(&[d0, d1], || ai.next().unwrap());
    let mut bi = b_leaves.into_iter();
    let b = table(&[d0, d2], || bi.next().unwrap());
    let na = a.counts.len();
    let mut sb = SystemBuilder::new();
    for &c in a.counts.iter().chain(&b.counts) {
        sb.add_var(discreet_audit::synthetic::ircc_domain(c));
    }
    let la = a.layout.clone();
    let lb = discreet_suppress::TableLayout {
        offset: na as Var,
        ..b.layout.clone()
    };
    sb.add_table(&la).unwrap();
    sb.add_table(&lb).unwrap();
    // A(x, total) is var x * size1 + size1 - 1, B(x, total) is var
    // na + x * size2 + size2 - 1 (the total of a dimension is its last node).
    let (s1, s2) = (a.layout.children[1].len(), b.layout.children[1].len());
    for x in 0..a.layout.children[0].len() {
        sb.add_equal((x * s1 + s1 - 1) as Var, (na + x * s2 + s2 - 1) as Var)
            .unwrap();
    }
    let mut counts = a.counts.clone();
    counts.extend_from_slice(&b.counts);
    (sb.build(), counts, vec![la, lb])
}
