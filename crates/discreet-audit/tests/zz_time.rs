use discreet_audit::synthetic::{heavy_tail_table, Dim};
use discreet_audit::{audit, AuditOptions, FindingKind};
use std::time::Instant;

fn run(name: &str, t: &discreet_audit::synthetic::Table, o: AuditOptions) {
    let t0 = Instant::now();
    let r = audit(&t.system, &o);
    eprintln!("{name}: {:.2?} cells {} lp_solves {} skipped {} int_solves {} unresolved {} tightened {} disclosed {} narrowed {}", t0.elapsed(), t.system.n_vars(), r.lp_solves, r.lp_vars_skipped, r.integer_solves, r.integer_unresolved, r.integer_tightened, r.count(FindingKind::Disclosed), r.count(FindingKind::Narrowed));
}

#[test]
fn time_2d() {
    let t = heavy_tail_table(
        &[
            Dim::flat(300),
            Dim {
                leaves: 24,
                groups: 8,
            },
        ],
        3,
    );
    let big = usize::MAX;
    run(
        "2d prop",
        &t,
        AuditOptions {
            lp_max_block_vars: 0,
            ..Default::default()
        },
    );
    run(
        "2d default",
        &t,
        AuditOptions {
            lp_max_block_vars: big,
            ..Default::default()
        },
    );
    run(
        "2d int off",
        &t,
        AuditOptions {
            lp_max_block_vars: big,
            integer_max_width: 0,
            ..Default::default()
        },
    );
    run(
        "2d all lp, int off",
        &t,
        AuditOptions {
            lp_max_block_vars: big,
            integer_max_width: 0,
            lp_sensitive_only: false,
            ..Default::default()
        },
    );
}
