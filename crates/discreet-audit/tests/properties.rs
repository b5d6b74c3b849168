//! Seeded random tables: the audit must never exclude a true value (or any
//! feasible one), must report what it pins, and the LP must only tighten.

use discreet_audit::synthetic::{additive_table, Dim, Table};
use discreet_audit::{
    audit, audit_focused, AuditOptions, AuditResult, FindingKind, Interval, Policy, System,
    SystemBuilder, Var,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The IRCC rule as an outsider reads it, written independently of the
/// crate's synthetic helper: 0 -> 0; 1..4 -> `--`; else nearest multiple of
/// 5, a shown 5 meaning 5..7 and a shown r >= 10 meaning r-2..r+2.
fn rule(count: u64) -> Interval {
    if count == 0 {
        return Interval::exact(0);
    }
    if count <= 4 {
        return Interval::new(1, 4);
    }
    let shown = ((count as f64 / 5.0).round() as u64) * 5;
    if shown == 5 {
        Interval::new(5, 7)
    } else {
        Interval::new(shown - 2, shown + 2)
    }
}

/// Many zeros and small counts, a few larger ones.
fn small_count(rng: &mut ChaCha8Rng) -> u64 {
    match rng.gen_range(0..10) {
        0..=3 => 0,
        4..=7 => rng.gen_range(1..=6),
        _ => rng.gen_range(7..=30),
    }
}

fn random_dims(rng: &mut ChaCha8Rng) -> Vec<Dim> {
    let nd = rng.gen_range(2..=3);
    (0..nd)
        .map(|_| {
            let leaves = rng.gen_range(2..=5);
            let groups = if leaves >= 4 && rng.gen_bool(0.4) {
                2
            } else {
                0
            };
            Dim { leaves, groups }
        })
        .collect()
}

fn random_table(rng: &mut ChaCha8Rng) -> Table {
    let dims = random_dims(rng);
    let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
    additive_table(&dims, || small_count(&mut leaf_rng), rule)
}

fn no_lp() -> AuditOptions {
    AuditOptions {
        lp_max_block_vars: 0,
        ..AuditOptions::default()
    }
}

fn assert_sound(sys: &System, truth: &[u64], r: &AuditResult, what: &str) {
    assert_eq!(
        r.count(FindingKind::Inconsistent),
        0,
        "{what}: {:?}",
        r.findings
    );
    for (v, &t) in truth.iter().enumerate() {
        assert!(
            sys.domains()[v].contains(t),
            "{what}: generator bug at var {v}"
        );
        assert!(
            r.intervals[v].contains(t),
            "{what}: var {v} true {t} outside {}",
            r.intervals[v]
        );
    }
}

/// Every finding is what the policy says, and every var the policy flags
/// has its finding.
fn assert_findings_match(sys: &System, r: &AuditResult, policy: &Policy, what: &str) {
    for (v, iv) in r.intervals.iter().enumerate() {
        let expected = policy.classify(sys.domains()[v], *iv);
        let got: Vec<FindingKind> = r
            .findings
            .iter()
            .filter(|f| f.var as usize == v)
            .map(|f| f.kind)
            .collect();
        assert_eq!(
            got,
            expected.into_iter().collect::<Vec<_>>(),
            "{what}: var {v} interval {iv}"
        );
        // A cell published as a single small non-zero value is always
        // reported, whatever else happens.
        let d = sys.domains()[v];
        if d.is_pinned() && (1..10).contains(&d.lo) {
            assert_eq!(
                got,
                vec![FindingKind::Disclosed],
                "{what}: exact small var {v}"
            );
        }
    }
}

#[test]
fn additive_tables_are_sound() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xA0D1);
    let options = AuditOptions::default();
    for case in 0..300 {
        let t = random_table(&mut rng);
        let r = audit(&t.system, &options);
        let what = format!("case {case} dims {:?}", t.dims);
        assert_sound(&t.system, &t.truth, &r, &what);
        assert!(r.propagation_converged, "{what}");
        assert_eq!(r.blocks, 1, "{what}");
        assert_findings_match(&t.system, &r, &options.policy, &what);
        if case % 3 == 0 {
            assert_integer_step_sound(&t.system, &t.truth, &r, &what);
        }
    }
}

/// Integer bounds on every cell keep the truth and only tighten what the
/// default audit `r` found.
fn assert_integer_step_sound(sys: &System, truth: &[u64], r: &AuditResult, what: &str) {
    let i = audit(sys, &integer_everywhere());
    assert_sound(sys, truth, &i, what);
    assert_eq!(i.lp_errors, 0, "{what}");
    for (v, (a, b)) in r.intervals.iter().zip(&i.intervals).enumerate() {
        let within = match (a.hi, b.hi) {
            (Some(x), Some(y)) => y <= x,
            (Some(_), None) => false,
            (None, _) => true,
        };
        assert!(
            b.lo >= a.lo && within,
            "{what}: var {v} integer {b} looser than {a}"
        );
    }
}

/// Permit holders: each person has one province (additive across
/// provinces) and holds a permit over a run of months; a month group or
/// the year counts each person once (distinct across months).
struct Holders {
    system: System,
    truth: Vec<u64>,
}

fn holders_table(rng: &mut ChaCha8Rng) -> Holders {
    let prov = Dim {
        leaves: rng.gen_range(2..=4),
        groups: 0,
    };
    let months = Dim {
        leaves: rng.gen_range(3..=6),
        groups: if rng.gen_bool(0.5) { 2 } else { 0 },
    };
    let people = rng.gen_range(0..40);
    let mut persons = Vec::new();
    for _ in 0..people {
        let p = rng.gen_range(0..prov.leaves);
        let a = rng.gen_range(0..months.leaves);
        let b = rng.gen_range(a..months.leaves.min(a + 3));
        persons.push((p, a, b));
    }
    let leaves_under = |d: &Dim, i: usize| -> Vec<usize> {
        if d.is_leaf(i) {
            return vec![i];
        }
        let mut out = Vec::new();
        let mut stack = d.children(i);
        while let Some(c) = stack.pop() {
            if d.is_leaf(c) {
                out.push(c);
            } else {
                stack.extend(d.children(c));
            }
        }
        out
    };
    let (np, nm) = (prov.nodes(), months.nodes());
    let idx = |p: usize, m: usize| (p * nm + m) as Var;
    let mut truth = vec![0u64; np * nm];
    for p in 0..np {
        let ps = leaves_under(&prov, p);
        for m in 0..nm {
            let ms = leaves_under(&months, m);
            truth[idx(p, m) as usize] = persons
                .iter()
                .filter(|&&(pp, a, b)| ps.contains(&pp) && ms.iter().any(|&mm| a <= mm && mm <= b))
                .count() as u64;
        }
    }
    let mut sb = SystemBuilder::new();
    for &t in &truth {
        sb.add_var(rule(t));
    }
    for p in 0..np {
        for m in 0..nm {
            if !prov.is_leaf(p) {
                let parts: Vec<Var> = prov.children(p).iter().map(|&c| idx(c, m)).collect();
                sb.add_additive(idx(p, m), &parts).unwrap();
            }
            if !months.is_leaf(m) {
                let parts: Vec<Var> = months.children(m).iter().map(|&c| idx(p, c)).collect();
                sb.add_distinct(idx(p, m), &parts).unwrap();
            }
        }
    }
    let system = sb.build();
    // The generator itself must satisfy what it declares.
    for rel in system.relations() {
        let t = truth[rel.total as usize];
        let parts: Vec<u64> = rel.parts.iter().map(|&v| truth[v as usize]).collect();
        let (max, sum) = (
            parts.iter().copied().max().unwrap(),
            parts.iter().sum::<u64>(),
        );
        match rel.kind {
            discreet_audit::RelationKind::Additive => assert_eq!(t, sum),
            discreet_audit::RelationKind::Distinct => assert!(max <= t && t <= sum),
        }
    }
    Holders { system, truth }
}

#[test]
fn distinct_tables_are_sound() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xD15C);
    let options = AuditOptions::default();
    let mut pinned = 0;
    for case in 0..300 {
        let h = holders_table(&mut rng);
        let r = audit(&h.system, &options);
        let what = format!("holders case {case}");
        assert_sound(&h.system, &h.truth, &r, &what);
        assert_findings_match(&h.system, &r, &options.policy, &what);
        if case % 3 == 0 {
            assert_integer_step_sound(&h.system, &h.truth, &r, &what);
        }
        pinned += r
            .intervals
            .iter()
            .zip(h.system.domains())
            .filter(|(i, d)| i.is_pinned() && !d.is_pinned())
            .count();
    }
    // The distinct bounds are weak, but small tables still leak sometimes.
    assert!(
        pinned > 0,
        "no cell was ever pinned: the distinct propagation does nothing"
    );
}

/// Publish one relation's total and all but one of its parts exactly; the
/// remaining small part must come out pinned and reported.
#[test]
fn subtraction_in_random_tables_is_reported() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xC0DE);
    let mut checked = 0;
    for case in 0..400 {
        let mut t = random_table(&mut rng);
        let rels: Vec<(Var, Vec<Var>)> = t
            .system
            .relations()
            .map(|r| (r.total, r.parts.to_vec()))
            .collect();
        let (total, parts) = &rels[rng.gen_range(0..rels.len())];
        let small: Vec<Var> = parts
            .iter()
            .copied()
            .filter(|&p| (1..10).contains(&t.truth[p as usize]))
            .collect();
        if small.is_empty() {
            continue;
        }
        let target = small[rng.gen_range(0..small.len())];
        t.system
            .set_domain(*total, Interval::exact(t.truth[*total as usize]));
        for &p in parts {
            if p != target {
                t.system.set_domain(p, Interval::exact(t.truth[p as usize]));
            }
        }
        let options = AuditOptions::default();
        let r = audit(&t.system, &options);
        let what = format!("case {case} target {target}");
        assert_sound(&t.system, &t.truth, &r, &what);
        assert_eq!(
            r.intervals[target as usize],
            Interval::exact(t.truth[target as usize]),
            "{what}"
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.var == target && f.kind == FindingKind::Disclosed),
            "{what}: {:?}",
            r.findings
        );
        assert_findings_match(&t.system, &r, &options.policy, &what);
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases had a small part");
}

/// The LP only tightens propagation, keeps the truth, and on 3-D tables
/// actually finds something propagation misses.
#[test]
fn lp_never_looser_than_propagation_and_keeps_truth() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1F00);
    let mut tighter = 0usize;
    for case in 0..300 {
        let (sys, truth) = if case % 3 == 2 {
            let h = holders_table(&mut rng);
            (h.system, h.truth)
        } else {
            let t = random_table(&mut rng);
            (t.system, t.truth)
        };
        let p = audit(&sys, &no_lp());
        let l = audit(&sys, &AuditOptions::default());
        let what = format!("case {case}");
        assert_sound(&sys, &truth, &p, &what);
        assert_sound(&sys, &truth, &l, &what);
        assert_eq!(l.lp_errors, 0, "{what}");
        for (v, (a, b)) in p.intervals.iter().zip(&l.intervals).enumerate() {
            assert!(
                b.lo >= a.lo,
                "{what}: var {v} LP {b} looser than propagation {a}"
            );
            match (a.hi, b.hi) {
                (Some(x), Some(y)) => assert!(y <= x, "{what}: var {v} LP {b} vs {a}"),
                (Some(_), None) => panic!("{what}: var {v} LP lost an upper bound"),
                _ => {}
            }
            if a != b {
                tighter += 1;
            }
        }
    }
    assert!(tighter > 0, "the LP never improved on propagation");
}

/// Brute force over every integer table that fits the published domains.
/// For 2-D additive tables the constraint matrix is a network matrix, so the
/// LP bounds are exactly the integer bounds: the audit must equal the brute
/// force, not merely contain it. For 3-D tables, containment by default,
/// and equality with integer bounds on every cell.
#[test]
fn matches_brute_force_on_small_tables() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xB007);
    let mut exact_cases = 0;
    let mut exact_3d = 0;
    for case in 0..120 {
        let three_d = case % 4 == 3;
        let dims: Vec<Dim> = if three_d {
            vec![Dim::flat(2), Dim::flat(2), Dim::flat(2)]
        } else {
            vec![
                Dim::flat(rng.gen_range(2..=3)),
                Dim::flat(rng.gen_range(2..=3)),
            ]
        };
        let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let t = additive_table(&dims, || small_count(&mut leaf_rng), rule);
        let leaves: Vec<Var> = (0..t.truth.len() as Var)
            .filter(|&v| t.coords(v).iter().zip(&t.dims).all(|(&c, d)| d.is_leaf(c)))
            .collect();
        let space: u64 = leaves
            .iter()
            .map(|&v| t.system.domains()[v as usize].width().unwrap())
            .product();
        if space > 400_000 {
            continue;
        }
        let (lo, hi) = brute_force(&t, &leaves);
        let r = audit(&t.system, &AuditOptions::default());
        let what = format!("case {case} dims {:?} truth {:?}", t.dims, t.truth);
        for v in 0..t.truth.len() {
            let iv = r.intervals[v];
            assert!(
                iv.lo <= lo[v] && iv.hi.unwrap() >= hi[v],
                "{what}: var {v} audit {iv} misses [{}, {}]",
                lo[v],
                hi[v]
            );
            if !three_d {
                assert_eq!(iv, Interval::new(lo[v], hi[v]), "{what}: var {v} not exact");
            }
        }
        if !three_d {
            exact_cases += 1;
        } else {
            // Integer bounds on every cell make 3-D tables exact too.
            let r = audit(&t.system, &integer_everywhere());
            assert_eq!(r.integer_unresolved, 0, "{what}");
            for v in 0..t.truth.len() {
                assert_eq!(
                    r.intervals[v],
                    Interval::new(lo[v], hi[v]),
                    "{what}: var {v} integer bounds not exact"
                );
            }
            exact_3d += 1;
        }
    }
    assert!(
        exact_cases > 50 && exact_3d > 10,
        "{exact_cases} {exact_3d}"
    );
}

/// Min and max of every cell over all leaf assignments within the leaves'
/// domains whose margins fall within theirs.
fn brute_force(t: &Table, leaves: &[Var]) -> (Vec<u64>, Vec<u64>) {
    let sys = &t.system;
    let n = t.truth.len();
    let doms: Vec<Interval> = sys.domains().to_vec();
    let mut lo = vec![u64::MAX; n];
    let mut hi = vec![0u64; n];
    let mut vals = vec![0u64; n];
    let mut digits: Vec<u64> = leaves.iter().map(|&v| doms[v as usize].lo).collect();
    // Relations in the synthetic table are added in increasing total order,
    // and every part has a smaller index than its total, so evaluating them
    // in order computes each margin from known cells.
    let rels: Vec<(Var, Vec<Var>)> = sys
        .relations()
        .map(|r| (r.total, r.parts.to_vec()))
        .collect();
    'outer: loop {
        for (k, &v) in leaves.iter().enumerate() {
            vals[v as usize] = digits[k];
        }
        let mut ok = true;
        for (total, parts) in &rels {
            let s: u64 = parts.iter().map(|&p| vals[p as usize]).sum();
            // A margin with several relations gets the same sum from each.
            vals[*total as usize] = s;
        }
        for v in 0..n {
            if !doms[v].contains(vals[v]) {
                ok = false;
                break;
            }
        }
        if ok {
            for v in 0..n {
                lo[v] = lo[v].min(vals[v]);
                hi[v] = hi[v].max(vals[v]);
            }
        }
        // Next assignment, odometer style.
        for k in 0..leaves.len() {
            let d = doms[leaves[k] as usize];
            if digits[k] < d.hi.unwrap() {
                digits[k] += 1;
                continue 'outer;
            }
            digits[k] = d.lo;
        }
        break;
    }
    assert!(
        lo.iter().all(|&l| l != u64::MAX),
        "truth itself must be feasible"
    );
    (lo, hi)
}

/// The answer does not depend on the number of threads, including blocks
/// large enough to have their single solves shared between threads.
#[test]
fn threads_do_not_change_the_answer() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x7777);
    for case in 0..6 {
        let dims = vec![
            Dim::flat(rng.gen_range(5..=6)),
            Dim::flat(4),
            Dim::grouped(6, 2),
        ];
        let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let t = additive_table(&dims, || small_count(&mut leaf_rng), rule);
        assert!(t.system.n_vars() >= 256);
        let one = audit(
            &t.system,
            &AuditOptions {
                threads: 1,
                ..AuditOptions::default()
            },
        );
        let two = audit(
            &t.system,
            &AuditOptions {
                threads: 2,
                ..AuditOptions::default()
            },
        );
        let what = format!("case {case}");
        assert_sound(&t.system, &t.truth, &one, &what);
        assert_eq!(one.intervals, two.intervals, "{what}");
        assert_eq!(one.findings, two.findings, "{what}");
        assert!(one.lp_solves > 0 && one.lp_blocks == 1, "{what}");
        // The integer step too, budgets included: a small node budget
        // leaves bounds unresolved in the same way on one thread or two.
        let tight = |threads| AuditOptions {
            threads,
            integer_max_nodes: 3,
            integer_max_bounds_per_block: 40,
            ..integer_everywhere()
        };
        let one = audit(&t.system, &tight(1));
        let two = audit(&t.system, &tight(2));
        assert_sound(&t.system, &t.truth, &one, &what);
        assert_eq!(one.intervals, two.intervals, "{what}");
        assert_eq!(one.findings, two.findings, "{what}");
        assert!(
            one.integer_unresolved > 0,
            "{what}: the budgets were not reached"
        );
    }
}

/// An audit focused on some cells: the full audit when every cell is in
/// focus; otherwise sound, never tighter than the full audit, never looser
/// than propagation alone, no LP at all when nothing is in focus, and its
/// findings are what the policy makes of its intervals. Large blocks
/// (neighbourhood LPs) are covered by making every block "large".
#[test]
fn a_focused_audit_lies_between_propagation_and_the_full_audit() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xF0C5);
    let mut looser_than_full = 0usize;
    for case in 0..160 {
        let (sys, truth) = if case % 4 == 3 {
            let h = holders_table(&mut rng);
            (h.system, h.truth)
        } else {
            let t = random_table(&mut rng);
            (t.system, t.truth)
        };
        let options = if case % 2 == 0 {
            AuditOptions::default()
        } else {
            AuditOptions {
                lp_max_block_vars: 1,
                ..AuditOptions::default()
            }
        };
        let what = format!("case {case}");
        let n = sys.n_vars();
        let full = audit(&sys, &options);
        let all = audit_focused(&sys, &options, &vec![true; n]);
        assert_eq!(all.intervals, full.intervals, "{what}");
        assert_eq!(all.findings, full.findings, "{what}");
        let none = audit_focused(&sys, &options, &vec![false; n]);
        assert_eq!(
            none.lp_solves + none.local_lp_solves + none.integer_solves,
            0,
            "{what}"
        );
        let propagation = audit(&sys, &no_lp());
        assert_eq!(none.intervals, propagation.intervals, "{what}");
        let focus: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.3)).collect();
        let some = audit_focused(&sys, &options, &focus);
        assert_sound(&sys, &truth, &some, &what);
        assert_findings_match(&sys, &some, &options.policy, &what);
        for v in 0..n {
            let (f, s, p) = (
                full.intervals[v],
                some.intervals[v],
                propagation.intervals[v],
            );
            assert!(
                contains(s, f) && contains(p, s),
                "{what}: var {v}: full {f}, focused {s}, propagation {p}"
            );
            if s != f {
                looser_than_full += 1;
            }
        }
    }
    assert!(
        looser_than_full > 0,
        "the focus never left a bound to propagation"
    );
}

/// Whether interval `outer` holds every value of `inner`.
fn contains(outer: Interval, inner: Interval) -> bool {
    outer.lo <= inner.lo
        && match (outer.hi, inner.hi) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => b <= a,
        }
}

/// One relation alone: propagation (no LP) must give exactly the integer
/// bounds a brute force finds, and call the relation inconsistent exactly
/// when no integer point fits.
#[test]
fn single_relation_propagation_is_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5151);
    let mut infeasible_cases = 0;
    let mut pinned_cases = 0;
    for case in 0..2000 {
        let distinct = rng.gen_bool(0.5);
        let k = rng.gen_range(1..=4);
        let dom = |rng: &mut ChaCha8Rng, max: u64| {
            let lo = rng.gen_range(0..=max);
            Interval::new(lo, lo + rng.gen_range(0..=4))
        };
        let parts: Vec<Interval> = (0..k).map(|_| dom(&mut rng, 10)).collect();
        let total = dom(&mut rng, 10 * k as u64);
        let mut b = SystemBuilder::new();
        let pv: Vec<Var> = parts.iter().map(|&d| b.add_var(d)).collect();
        let tv = b.add_var(total);
        if distinct {
            b.add_distinct(tv, &pv).unwrap();
        } else {
            b.add_additive(tv, &pv).unwrap();
        }
        let r = audit(&b.build(), &no_lp());

        // Brute force over the parts and the total.
        let doms: Vec<Interval> = parts.iter().copied().chain([total]).collect();
        let mut lo = vec![u64::MAX; k + 1];
        let mut hi = vec![0u64; k + 1];
        let mut x: Vec<u64> = doms.iter().map(|d| d.lo).collect();
        'outer: loop {
            let (max, sum) = (
                x[..k].iter().copied().max().unwrap(),
                x[..k].iter().sum::<u64>(),
            );
            let t = x[k];
            let ok = if distinct {
                max <= t && t <= sum
            } else {
                t == sum
            };
            if ok {
                for i in 0..=k {
                    lo[i] = lo[i].min(x[i]);
                    hi[i] = hi[i].max(x[i]);
                }
            }
            for i in 0..=k {
                if x[i] < doms[i].hi.unwrap() {
                    x[i] += 1;
                    continue 'outer;
                }
                x[i] = doms[i].lo;
            }
            break;
        }
        let what = format!("case {case} distinct {distinct} parts {parts:?} total {total}");
        let feasible = lo[0] != u64::MAX;
        assert_eq!(
            r.count(FindingKind::Inconsistent) > 0,
            !feasible,
            "{what}: {:?}",
            r.findings
        );
        if feasible {
            for i in 0..=k {
                assert_eq!(
                    r.intervals[i],
                    Interval::new(lo[i], hi[i]),
                    "{what}: var {i}"
                );
            }
            pinned_cases += r
                .intervals
                .iter()
                .zip(&doms)
                .any(|(a, d)| a.is_pinned() && !d.is_pinned()) as usize;
        } else {
            infeasible_cases += 1;
        }
    }
    assert!(
        infeasible_cases > 50 && pinned_cases > 50,
        "{infeasible_cases} infeasible, {pinned_cases} pinned"
    );
}

/// Integer bounds for every cell, however wide, with budgets no small
/// system reaches: the audit must then give the exact integer interval.
fn integer_everywhere() -> AuditOptions {
    AuditOptions {
        policy: Policy {
            pinned_is_finding_for_all: true,
            ..Policy::default()
        },
        lp_sensitive_only: false,
        integer_max_width: u64::MAX,
        integer_max_nodes: 100_000,
        integer_max_bounds_per_block: usize::MAX,
        integer_neighbourhood_vars: usize::MAX,
        ..AuditOptions::default()
    }
}

/// A system with odd cycles, where the LP relaxation has fractional
/// vertices: `k` cells, published sums of random pairs and triples of them
/// (overlapping groupings, linked tables), and totals of several of those
/// sums. Every published value follows the rule. Returns the system, the
/// truth, and the number of leading "cell" vars (the rest are sums).
fn odd_cycle_system(rng: &mut ChaCha8Rng) -> (System, Vec<u64>, usize) {
    let k = rng.gen_range(3..=5);
    let truth: Vec<u64> = (0..k).map(|_| small_count(rng).min(9)).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for _ in 0..rng.gen_range(3..=6) {
        let size = if rng.gen_bool(0.7) { 2 } else { 3.min(k) };
        let mut g: Vec<usize> = Vec::new();
        while g.len() < size {
            let i = rng.gen_range(0..k);
            if !g.contains(&i) {
                g.push(i);
            }
        }
        g.sort();
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let mut b = SystemBuilder::new();
    let cells: Vec<Var> = truth.iter().map(|&t| b.add_var(rule(t))).collect();
    let mut all_truth = truth.clone();
    let mut sums = Vec::new();
    for g in &groups {
        let t: u64 = g.iter().map(|&i| truth[i]).sum();
        let v = b.add_var(rule(t));
        all_truth.push(t);
        let parts: Vec<Var> = g.iter().map(|&i| cells[i]).collect();
        b.add_additive(v, &parts).unwrap();
        sums.push(v);
    }
    for _ in 0..rng.gen_range(0..=2) {
        let picked: Vec<Var> = sums.iter().copied().filter(|_| rng.gen_bool(0.6)).collect();
        if picked.len() < 2 {
            continue;
        }
        let t: u64 = picked.iter().map(|&v| all_truth[v as usize]).sum();
        let v = b.add_var(rule(t));
        all_truth.push(t);
        b.add_additive(v, &picked).unwrap();
    }
    (b.build(), all_truth, k)
}

/// Min and max of every var over the integer points of a system whose
/// first `k` vars determine the rest (each relation's total is a later var
/// than its parts, as [`odd_cycle_system`] builds them).
fn brute_force_system(sys: &System, k: usize) -> (Vec<u64>, Vec<u64>) {
    let n = sys.n_vars();
    let doms = sys.domains();
    let mut lo = vec![u64::MAX; n];
    let mut hi = vec![0u64; n];
    let mut vals = vec![0u64; n];
    let mut digits: Vec<u64> = (0..k).map(|i| doms[i].lo).collect();
    'outer: loop {
        vals[..k].copy_from_slice(&digits);
        for rel in sys.relations() {
            vals[rel.total as usize] = rel.parts.iter().map(|&p| vals[p as usize]).sum();
        }
        if (0..n).all(|v| doms[v].contains(vals[v])) {
            for v in 0..n {
                lo[v] = lo[v].min(vals[v]);
                hi[v] = hi[v].max(vals[v]);
            }
        }
        for i in 0..k {
            if digits[i] < doms[i].hi.unwrap() {
                digits[i] += 1;
                continue 'outer;
            }
            digits[i] = doms[i].lo;
        }
        break;
    }
    (lo, hi)
}

/// With integer bounds on every cell, the audit gives exactly the integer
/// interval of every cell, where the LP alone is sometimes looser: the
/// integer step is sound (never cuts a value some integer table takes)
/// and does what it is for.
#[test]
fn integer_bounds_are_exact_on_odd_cycles() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x0DD);
    let mut lp_looser = 0;
    let mut findings_changed = 0;
    for case in 0..1500 {
        let (sys, truth, k) = odd_cycle_system(&mut rng);
        let (lo, hi) = brute_force_system(&sys, k);
        let what = format!("case {case} truth {truth:?}");
        let r = audit(&sys, &integer_everywhere());
        assert_sound(&sys, &truth, &r, &what);
        assert_eq!(r.integer_unresolved, 0, "{what}");
        assert_eq!(r.lp_errors, 0, "{what}");
        for v in 0..sys.n_vars() {
            assert_eq!(
                r.intervals[v],
                Interval::new(lo[v], hi[v]),
                "{what}: var {v}"
            );
        }
        // Without the LP (the block counted as too large), integer bounds
        // over the whole block from the propagated bounds are exact too.
        let no_lp = audit(
            &sys,
            &AuditOptions {
                lp_max_block_vars: 0,
                integer_on_large_blocks: true,
                ..integer_everywhere()
            },
        );
        assert_eq!(no_lp.lp_solves, 0, "{what}");
        assert_eq!(no_lp.intervals, r.intervals, "{what}");
        // On neighbourhoods of 3 cells (a relaxation) they stay sound.
        let local = audit(
            &sys,
            &AuditOptions {
                lp_max_block_vars: 0,
                integer_on_large_blocks: true,
                integer_neighbourhood_vars: 3,
                ..integer_everywhere()
            },
        );
        assert_sound(&sys, &truth, &local, &what);
        let lp = audit(
            &sys,
            &AuditOptions {
                integer_max_width: 0,
                ..integer_everywhere()
            },
        );
        assert_sound(&sys, &truth, &lp, &what);
        if lp.intervals != r.intervals {
            lp_looser += 1;
        }
        // The default options: integer bounds only where a finding could
        // change, and the truth still inside.
        let d = audit(&sys, &AuditOptions::default());
        assert_sound(&sys, &truth, &d, &what);
        assert_findings_match(&sys, &d, &AuditOptions::default().policy, &what);
        let d_lp = audit(
            &sys,
            &AuditOptions {
                integer_max_width: 0,
                ..AuditOptions::default()
            },
        );
        if d.findings != d_lp.findings {
            findings_changed += 1;
        }
    }
    eprintln!("LP looser than the integers in {lp_looser} cases, default findings changed by the integer step in {findings_changed}");
    assert!(
        lp_looser > 10,
        "only {lp_looser} cases where the LP is looser"
    );
    assert!(findings_changed > 0);
}

/// Solving LP bounds only for the cells the policy could flag
/// ([`AuditOptions::lp_sensitive_only`]) gives the same findings as
/// solving every cell, on 3-D tables where the LP does work, for half the
/// solves. In principle the last propagation pass, which no longer gets
/// the skipped cells' LP bounds rounded to integers, could find less; on
/// these 200 tables it never does (with or without the integer step), and
/// this guards that observation.
#[test]
fn lp_sensitive_only_keeps_the_findings() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5E45);
    let (mut differ_lp, mut differ_int, mut solves_all, mut solves_some) = (0, 0, 0, 0);
    for case in 0..200 {
        let dims = vec![
            Dim::flat(rng.gen_range(2..=4)),
            Dim::flat(rng.gen_range(2..=4)),
            Dim::flat(rng.gen_range(2..=5)),
        ];
        let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let t = additive_table(&dims, || small_count(&mut leaf_rng), rule);
        let what = format!("case {case} dims {dims:?}");
        for width in [0, 5] {
            let opts = |only| AuditOptions {
                lp_sensitive_only: only,
                integer_max_width: width,
                ..AuditOptions::default()
            };
            let all = audit(&t.system, &opts(false));
            let some = audit(&t.system, &opts(true));
            assert_sound(&t.system, &t.truth, &some, &what);
            assert_findings_match(&t.system, &some, &opts(true).policy, &what);
            if all.findings != some.findings {
                if width == 0 {
                    differ_lp += 1;
                } else {
                    differ_int += 1;
                }
            }
            if width == 0 {
                solves_all += all.lp_solves;
                solves_some += some.lp_solves;
            }
        }
    }
    eprintln!(
        "findings differ: LP only {differ_lp}, with integer step {differ_int}; LP solves {solves_all} -> {solves_some}"
    );
    assert_eq!((differ_lp, differ_int), (0, 0));
    assert!(
        solves_some * 3 < solves_all * 2,
        "{solves_all} -> {solves_some}"
    );
}
