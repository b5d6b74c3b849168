//! What every suppression method is given.

use discreet_audit::System;

/// How a cell enters secondary suppression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Hidden by the rule itself; must stay hidden and must not be
    /// recoverable from what is published.
    Primary,
    /// May be published or hidden, as protection needs.
    Candidate,
    /// Must be published (a headline total, say). A method that cannot
    /// protect the primary cells without hiding one reports it.
    ForcedPublish,
    /// Must be hidden, but needs no protection of its own.
    ForcedSuppress,
}

/// A suppression problem: the linked cells of a release, their true counts,
/// their roles and what hiding each one costs.
#[derive(Clone, Debug)]
pub struct Problem<'a> {
    /// The cells and the sums between them (domains are not used by the
    /// pattern methods; [`crate::repair`] uses them as the shown domains).
    pub system: &'a System,
    /// True count of every var.
    pub counts: &'a [u64],
    /// Role of every var.
    pub roles: Vec<Role>,
    /// Cost of hiding every var: lower is hidden first. Callers usually pass
    /// the count itself (small cells lose the least), with primary cells at 0.
    pub cost: Vec<u64>,
}
