use discreet_audit::synthetic::{additive_table, heavy_tail_table, Dim};
use discreet_audit::{audit, AuditOptions, Policy};
use std::time::Instant;

#[test]
fn time_it() {
    let dims = vec![
        Dim::flat(6),
        Dim::flat(4),
        Dim {
            leaves: 6,
            groups: 2,
        },
    ];
    let mut k = 0u64;
    let t = additive_table(
        &dims,
        || {
            k = k
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (k >> 33) % 10;
            if r < 4 {
                0
            } else if r < 8 {
                1 + (k >> 40) % 6
            } else {
                7 + (k >> 45) % 24
            }
        },
        discreet_audit::synthetic::ircc_domain,
    );
    for (name, o) in [
        (
            "lp only",
            AuditOptions {
                integer_max_width: 0,
                ..Default::default()
            },
        ),
        ("default", AuditOptions::default()),
        (
            "all lp",
            AuditOptions {
                lp_sensitive_only: false,
                integer_max_width: 0,
                ..Default::default()
            },
        ),
        (
            "int everywhere 3/40",
            AuditOptions {
                policy: Policy {
                    pinned_is_finding_for_all: true,
                    ..Default::default()
                },
                lp_sensitive_only: false,
                integer_max_width: u64::MAX,
                integer_max_nodes: 3,
                integer_max_bounds_per_block: 40,
                ..Default::default()
            },
        ),
    ] {
        let t0 = Instant::now();
        let r = audit(&t.system, &o);
        eprintln!("{name}: {:?} cells {} lp_solves {} int_solves {} unresolved {} tightened {} findings {}", t0.elapsed(), t.system.n_vars(), r.lp_solves, r.integer_solves, r.integer_unresolved, r.integer_tightened, r.findings.len());
    }
    for dims in [vec![
        Dim::flat(13),
        Dim::flat(8),
        Dim {
            leaves: 12,
            groups: 4,
        },
    ]] {
        let t = heavy_tail_table(&dims, 7);
        for (name, o) in [
            (
                "lp only",
                AuditOptions {
                    integer_max_width: 0,
                    lp_max_block_vars: usize::MAX,
                    ..Default::default()
                },
            ),
            (
                "all lp",
                AuditOptions {
                    lp_sensitive_only: false,
                    integer_max_width: 0,
                    lp_max_block_vars: usize::MAX,
                    ..Default::default()
                },
            ),
            (
                "default",
                AuditOptions {
                    lp_max_block_vars: usize::MAX,
                    ..Default::default()
                },
            ),
        ] {
            let t0 = Instant::now();
            let r = audit(&t.system, &o);
            eprintln!("{name}: {:?} cells {} lp_solves {} skipped {} int_solves {} unresolved {} tightened {} findings {}", t0.elapsed(), t.system.n_vars(), r.lp_solves, r.lp_vars_skipped, r.integer_solves, r.integer_unresolved, r.integer_tightened, r.findings.len());
        }
    }
}
