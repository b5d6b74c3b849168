//! The audit's linear system in CPLEX LP format, for reviewers who want to
//! check an audit with their own solver (HiGHS, Gurobi, CPLEX, GLPK...).
//!
//! The file states exactly what the audit reasons about and nothing else:
//! one integer unknown `x<i>` per published cell `i` (the var index), its
//! bounds being what the cell's shown value allows; one row per additive
//! relation (`r<k>: total - parts = 0`, `k` the relation index in the
//! order added); for a distinct relation the row `r<k>: total - parts <= 0`
//! and one row `r<k>_<j>: part_j - total <= 0` per part (a total counts at
//! least as many people as any of its parts). The objective is empty (a
//! zero multiple of `x0`): a reviewer sets the cell to minimise or
//! maximise. Every unknown is declared `General` (integer); drop that
//! section for the LP relaxation, the attack the audit's LP bounds model.
//!
//! A caller that knows what the vars are (the pipeline knows tables,
//! dimensions and codes) passes a `name` closure; each named var gets a
//! comment line `\ x<i> <name>` before the rows, so a reader can map the
//! solver's answer back to cells.

use std::fmt::{self, Write};

use crate::system::{RelationKind, System, Var};

/// Terms per line, so that lines stay well under the 255-character limit
/// some LP readers impose.
const TERMS_PER_LINE: usize = 8;

/// Writes `system` in CPLEX LP format to `out` (see the module notes for
/// the layout). `name(v)` may give a human-readable name for var `v`,
/// written as a comment line; line breaks in it become spaces.
///
/// ```
/// use discreet_audit::{write_lp, Interval, SystemBuilder};
///
/// let mut b = SystemBuilder::new();
/// let a = b.add_var(Interval::new(1, 4));
/// let t = b.add_var(Interval::new(8, 12));
/// b.add_equal(t, a).unwrap();
/// let mut text = String::new();
/// write_lp(&b.build(), &mut text, |_| None).unwrap();
/// assert!(text.contains("r0: x1 - x0 = 0"));
/// assert!(text.contains("8 <= x1 <= 12"));
/// ```
pub fn write_lp<W: Write>(
    system: &System,
    out: &mut W,
    mut name: impl FnMut(Var) -> Option<String>,
) -> fmt::Result {
    let n = system.n_vars();
    let additive = system
        .rel_kind
        .iter()
        .filter(|&&k| k == RelationKind::Additive)
        .count();
    writeln!(
        out,
        "\\ discreet audit system: {n} unknowns (x<i>: published cell i), {} relations ({additive} additive, {} distinct)",
        system.n_relations(),
        system.n_relations() - additive
    )?;
    writeln!(
        out,
        "\\ bounds: what each shown value allows; r<k>: relation k (additive: total = sum of parts;"
    )?;
    writeln!(
        out,
        "\\ distinct: total <= sum of parts, and r<k>_<j>: part j <= total). Set the objective to the cell to bound."
    )?;
    for v in 0..n as Var {
        if let Some(s) = name(v) {
            let s: String = s
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            writeln!(out, "\\ x{v} {s}")?;
        }
    }
    writeln!(out, "Minimize")?;
    if n == 0 {
        writeln!(out, " obj:")?;
    } else {
        writeln!(out, " obj: 0 x0")?;
    }
    writeln!(out, "Subject To")?;
    for r in 0..system.n_relations() {
        let vars = system.rel(r);
        let (t, parts) = (vars[0], &vars[1..]);
        write!(out, " r{r}: x{t}")?;
        for (i, p) in parts.iter().enumerate() {
            if (i + 1) % TERMS_PER_LINE == 0 {
                write!(out, "\n  ")?;
            } else {
                write!(out, " ")?;
            }
            write!(out, "- x{p}")?;
        }
        match system.rel_kind[r] {
            RelationKind::Additive => writeln!(out, " = 0")?,
            RelationKind::Distinct => {
                writeln!(out, " <= 0")?;
                for (j, p) in parts.iter().enumerate() {
                    writeln!(out, " r{r}_{j}: x{p} - x{t} <= 0")?;
                }
            }
        }
    }
    writeln!(out, "Bounds")?;
    for (v, d) in system.domains.iter().enumerate() {
        match d.hi {
            Some(h) if h == d.lo => writeln!(out, " x{v} = {h}")?,
            Some(h) => writeln!(out, " {} <= x{v} <= {h}", d.lo)?,
            None => writeln!(out, " x{v} >= {}", d.lo)?,
        }
    }
    if n > 0 {
        writeln!(out, "General")?;
        for v in 0..n {
            if v % 10 == 0 {
                write!(out, " ")?;
            }
            write!(out, "x{v}")?;
            if v % 10 == 9 || v + 1 == n {
                writeln!(out)?;
            } else {
                write!(out, " ")?;
            }
        }
    }
    writeln!(out, "End")
}
