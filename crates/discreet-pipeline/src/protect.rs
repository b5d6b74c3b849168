//! Protection of a release: the rule on every cell, then, for methods with
//! secondary suppression, more cells hidden over all tables at once until
//! the release's own audit finds nothing; and what it all cost.

use std::collections::HashMap;
use std::path::PathBuf;

use discreet_core::{CellStatus, ProtectedTable, Shown, Table};
use discreet_publish::ReleaseContent;
use discreet_spec::{CellRef, Cost, Method, Plan};
use discreet_suppress::repair::{repair, RepairOptions};
use discreet_suppress::{
    gauss, hypercube, GaussOptions, HypercubeOptions, Problem, Role, SuppressError, Var,
};

use crate::audit::{content_system, domain, AuditSettings, ContentSystem};
use crate::compute::Computed;
use crate::error::PipelineError;
use crate::report::{stage, Reporter};

/// The protected tables of a release and what protecting them took.
pub struct Protected {
    /// Shown values and statuses, one per table of the plan.
    pub tables: Vec<ProtectedTable>,
    /// What protection cost, per table.
    pub info_loss: Vec<InfoLoss>,
    /// Secondary suppression, when the method has it.
    pub secondary: Option<SecondaryReport>,
}

/// What secondary suppression did, over all tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondaryReport {
    /// Cells hidden by the pattern method (Gaussian elimination or
    /// hypercubes); 0 for `ircc-repaired`.
    pub by_method: usize,
    /// Cells hidden by the audit-and-repair rounds after it.
    pub by_repair: usize,
    /// Findings of the audit before repair: disclosed, narrowed.
    pub findings_before_repair: (usize, usize),
    /// Audit rounds of the repair.
    pub repair_rounds: usize,
}

/// What protecting a table cost. Computed from true counts, so it goes to
/// the analyst's run summary and never into the release folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InfoLoss {
    /// Cells shown `--` or `x`.
    pub hidden_cells: usize,
    /// Of which hidden by secondary suppression (`x`).
    pub secondary_cells: usize,
    /// Hidden cells' share of the table's total count, in tenths of a percent.
    pub hidden_share_tenths_pct: u64,
    /// Mean absolute difference between shown and true values of the
    /// rounded cells, in hundredths of a count.
    pub mean_abs_rounding_hundredths: u64,
}

impl InfoLoss {
    /// As JSON: figures written as decimals (`"1.2"` percent).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "cells_hidden": self.hidden_cells,
            "cells_secondary": self.secondary_cells,
            "hidden_share_of_total_percent": format!("{}.{}", self.hidden_share_tenths_pct / 10, self.hidden_share_tenths_pct % 10),
            "mean_absolute_rounding_change": format!("{}.{:02}", self.mean_abs_rounding_hundredths / 100, self.mean_abs_rounding_hundredths % 100),
        })
    }
}

/// Protects every table of `computed` as `plan` says. Under a method with
/// secondary suppression, the audit-and-repair rounds read the release
/// together with the earlier release folders in `previous` (which are
/// never changed), so that no cell can be worked out from both.
pub fn protect(
    plan: &Plan,
    computed: &Computed,
    previous: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<Protected, PipelineError> {
    let mut tables = stage(reporter, "protecting cells", || {
        computed.protect(&plan.rule)
    });
    let secondary = if plan.protection.method.has_secondary() {
        Some(secondary(plan, computed, &mut tables, previous, reporter)?)
    } else {
        None
    };
    let info_loss = computed
        .tables
        .iter()
        .zip(&tables)
        .map(|(t, p)| info_loss(t, p))
        .collect();
    Ok(Protected {
        tables,
        info_loss,
        secondary,
    })
}

/// Hides more cells of `tables` (status [`CellStatus::Secondary`]) until
/// no hidden cell can be worked out.
fn secondary(
    plan: &Plan,
    computed: &Computed,
    tables: &mut [ProtectedTable],
    previous: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<SecondaryReport, PipelineError> {
    let protection = &plan.protection;
    // Forced-hidden cells first, so that the system sees them as hidden.
    for c in &protection.forced_suppress {
        let idx = computed.tables[c.table].index(&c.coords);
        tables[c.table].hide(idx);
    }
    // The pattern methods see this release alone; the repair also sees
    // the earlier releases (their cells come after this release's).
    let (cs, combined) = {
        let content = ReleaseContent {
            plan,
            tables: computed.views(plan, tables),
            inputs: Vec::new(),
            tool_version: "",
            series: None,
        };
        let combined = if previous.is_empty() {
            None
        } else {
            Some(content_system(&content, previous, reporter)?)
        };
        (content_system(&content, &[], reporter)?, combined)
    };
    let cells = Cells::new(plan, computed, tables, &cs)?;
    let hidden_domain = plan
        .rule
        .preimage_in(Shown::Suppressed, true)
        .map(|(lo, hi)| domain(lo, hi))
        .expect("every rule shows some count as `--`");
    // Cells named in errors as a spec names them.
    let cell_name = |v: Var| {
        let Some(&(table, i)) = cs.cell_of.get(v as usize) else {
            return "a cell of an earlier release".to_string();
        };
        let mut coords = Vec::new();
        computed.tables[table].coords(i, &mut coords);
        format!(
            "`{}`",
            CellRef { table, coords }.name(&plan.tables, &plan.dimensions)
        )
    };
    let failed = |e: SuppressError| stuck(protection.method, e.describe(&cell_name));
    let hide = |v: Var, tables: &mut [ProtectedTable]| {
        let (t, i) = cs.cell_of[v as usize];
        tables[t].hide(i);
    };
    let mut report = SecondaryReport::default();

    let mut system = cs.system;
    let mut roles = cells.roles;
    let (mut counts, mut cost) = (cells.counts, cells.cost);
    let by_method = {
        let pattern = Problem {
            system: &system,
            counts: &counts,
            roles: roles.clone(),
            cost: cost.clone(),
        };
        match protection.method {
            Method::Ircc | Method::IrccRepaired => Vec::new(),
            Method::Threshold => {
                let options = GaussOptions {
                    singleton: protection.singleton,
                    ..GaussOptions::default()
                };
                stage(
                    reporter,
                    "secondary suppression (Gaussian elimination)",
                    || gauss(&pattern, &options),
                )
                .map_err(failed)?
                .secondary
            }
            Method::Hypercube => {
                stage(reporter, "secondary suppression (hypercubes)", || {
                    hypercube(&pattern, &cs.layouts, &HypercubeOptions::default())
                })
                .map_err(failed)?
                .secondary
            }
        }
    };
    if let Some(c) = combined {
        // Earlier releases' cells are published already: never hidden, and
        // their true counts are not known here (nor needed).
        let n = c.system.n_vars();
        let first = roles.len();
        roles.extend((first..n).map(|v| match c.describe(v as Var).1 {
            // Hidden there already: a cell tied to it may be hidden too.
            "--" => Role::ForcedSuppress,
            _ => Role::ForcedPublish,
        }));
        system = c.system;
        counts.resize(n, 0);
        cost.resize(n, 0);
    }
    for &v in &by_method {
        system.set_domain(v, hidden_domain);
        roles[v as usize] = Role::ForcedSuppress;
        hide(v, tables);
    }
    report.by_method = by_method.len();

    let problem = Problem {
        system: &system,
        counts: &counts,
        roles,
        cost,
    };
    let settings = plan
        .spec
        .audit
        .as_ref()
        .map(|a| AuditSettings {
            protect_below: a.protect_below,
            min_width: a.min_width,
            lp_max_block: None,
        })
        .unwrap_or_default();
    let options = RepairOptions {
        audit: settings.options(&plan.rule),
        ..RepairOptions::default()
    };
    let repaired = stage(reporter, "auditing and repairing", || {
        repair(&problem, hidden_domain, &options)
    })
    .map_err(|e| {
        let e = e.describe(&cell_name);
        if previous.is_empty() {
            stuck(protection.method, e)
        } else {
            PipelineError::SeriesUnrepairable(e)
        }
    })?;
    for &v in &repaired.hidden {
        hide(v, tables);
    }
    report.by_repair = repaired.hidden.len();
    report.findings_before_repair = repaired.initial_findings;
    report.repair_rounds = repaired.rounds;
    Ok(report)
}

/// What secondary suppression needs of every var of the content system
/// besides its relations: its true count, its role and what hiding it costs.
struct Cells {
    counts: Vec<u64>,
    roles: Vec<Role>,
    cost: Vec<u64>,
}

impl Cells {
    /// Roles from the cells' statuses and the spec's forced-publish cells,
    /// costs from the spec's cost.
    fn new(
        plan: &Plan,
        computed: &Computed,
        tables: &[ProtectedTable],
        cs: &ContentSystem,
    ) -> Result<Self, PipelineError> {
        let protection = &plan.protection;
        let var_of: HashMap<(usize, usize), Var> = cs
            .cell_of
            .iter()
            .enumerate()
            .map(|(v, &cell)| (cell, v as Var))
            .collect();
        let counts: Vec<u64> = cs
            .cell_of
            .iter()
            .map(|&(t, i)| computed.tables[t].counts()[i])
            .collect();
        let mut roles: Vec<Role> = cs
            .cell_of
            .iter()
            .map(|&(t, i)| match tables[t].status[i] {
                // A shown zero stays shown: hiding it would make `x` stand for
                // zero as well as for counts above the range, two intervals.
                CellStatus::Zero => Role::ForcedPublish,
                CellStatus::Suppressed => Role::Primary,
                CellStatus::Secondary => Role::ForcedSuppress,
                CellStatus::Rounded => Role::Candidate,
            })
            .collect();
        for c in &protection.forced_publish {
            let idx = computed.tables[c.table].index(&c.coords);
            let v = var_of[&(c.table, idx)] as usize;
            if roles[v] == Role::Primary {
                return Err(PipelineError::Usage(format!(
                    "spec {}: rule.forced_publish names a cell of table `{}` that the rule hides (`--`); it cannot be published",
                    plan.source_name, plan.tables[c.table].name
                )));
            }
            roles[v] = Role::ForcedPublish;
        }
        let cost: Vec<u64> = counts
            .iter()
            .zip(&roles)
            .map(|(&n, r)| match (r, protection.cost) {
                (Role::Primary | Role::ForcedSuppress, _) => 0,
                (_, Cost::Count) => n,
                (_, Cost::Cells) => 1,
            })
            .collect();
        Ok(Cells {
            counts,
            roles,
            cost,
        })
    }
}

/// The error of a secondary suppression that cannot finish: usually shown
/// zeros (which an `--` may not stand for) leave a hidden cell no partner.
fn stuck(method: Method, e: String) -> PipelineError {
    PipelineError::Usage(format!(
        "secondary suppression ({}) failed: {e}. Shown zeros are never hidden (a `--` does not stand for zero unless `rule.zero = \"--\"`); with many zeros, set `rule.zero = \"--\"` or try another `rule.kind`",
        method.as_str()
    ))
}

/// Cells hidden, the share of the total count in hidden finest cells, and
/// the mean rounding change.
fn info_loss(table: &Table, p: &ProtectedTable) -> InfoLoss {
    let mut loss = InfoLoss::default();
    let (mut hidden_sum, mut change, mut rounded) = (0u128, 0u128, 0u128);
    let counts = table.counts();
    let dims = table.dims();
    let mut coords = Vec::with_capacity(dims.len());
    let mut total = 0u128;
    for (i, &n) in counts.iter().enumerate() {
        table.coords(i, &mut coords);
        let finest = coords.iter().zip(dims).all(|(&c, h)| h.is_leaf(c));
        if coords.iter().zip(dims).all(|(&c, h)| c == h.root()) {
            total = n as u128;
        }
        match p.status[i] {
            CellStatus::Suppressed | CellStatus::Secondary => {
                loss.hidden_cells += 1;
                if p.status[i] == CellStatus::Secondary {
                    loss.secondary_cells += 1;
                }
                if finest {
                    hidden_sum += n as u128;
                }
            }
            CellStatus::Rounded => {
                rounded += 1;
                change += p.shown[i].abs_diff(n) as u128;
            }
            CellStatus::Zero => {}
        }
    }
    // Over the finest cells, so that nobody is counted twice; a distinct
    // table can count one person in several cells, hence the cap.
    if let Some(share) = (hidden_sum * 1000 + total / 2).checked_div(total) {
        loss.hidden_share_tenths_pct = share.min(1000) as u64;
    }
    if let Some(mean) = (change * 100 + rounded / 2).checked_div(rounded) {
        loss.mean_abs_rounding_hundredths = mean as u64;
    }
    loss
}
