//! The HTML page: one self-contained file, English and French side by side
//! in the markup and one of them hidden by CSS (`#fr:target` switches to
//! French without a script).
//!
//! Every figure from the release sits in a text node; geometry (SVG
//! coordinates, sizes) sits in attributes and in the style sheet only, so
//! that a check of the page's text sees exactly the figures a reader sees.

use std::fmt::Write;

use discreet_audit::Interval;
use discreet_core::{TieRule, ZeroDisplay};
use discreet_spec::Method;
use discreet_structure::RuleDoc;

use crate::heatmap::heatmap;
use crate::model::{
    CellRef, FindingReport, RelationReport, RelationWord, ReleaseInfo, Report, TableReport,
};

/// A table's list of findings starts open up to this many findings.
const FINDINGS_OPEN: usize = 200;

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
#fr:not(:target) .fr,#fr:target .en{display:none}
nav.lang{text-align:right}
summary h3{display:inline}
h1{font-size:22px}h2{font-size:18px;border-top:1px solid #ccd;padding-top:12px}h3{font-size:15px}
table.t{border-collapse:collapse;margin:8px 0}
table.t th,table.t td{border:1px solid #ccd;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right}
.ok{color:#176b2c}.bad{color:#b00020;font-weight:600}
code{font-size:12px}
.fig{overflow-x:auto;max-width:100%}
svg text{font-size:9px;fill:#333}
rect.z{fill:#e6e8eb}rect.h{fill:#4a5568}rect.s{fill:#8fb8de}
rect.fd{stroke:#d00;stroke-width:2}rect.fn{stroke:#f08c00;stroke-width:2}rect.fi{stroke:#7b2cbf;stroke-width:2}
.key i{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
.figs{display:flex;flex-wrap:wrap;gap:4px 20px;align-items:flex-end}.figs p{margin:2px 0}
.rel{margin:2px 0}
section.tab{content-visibility:auto;contain-intrinsic-size:auto 3000px}
";

/// Appends `s` with `&`, `<`, `>` and `"` escaped.
pub(crate) fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// `s` escaped.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

/// The two languages as inline spans (already HTML).
fn bi(en: &str, fr: &str) -> String {
    format!("<span class=\"en\">{en}</span><span class=\"fr\">{fr}</span>")
}

/// An interval as text: `[lo, hi]`, or `[lo, ∞)`.
pub(crate) fn interval(i: Interval) -> String {
    match i.hi {
        Some(h) => format!("[{}, {h}]", i.lo),
        None => format!("[{}, ∞)", i.lo),
    }
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(1 << 16);
    let name = report.releases.first().map_or("", |r| r.name.as_str());
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width\">");
    let _ = write!(out, "<title>discreet: {}</title>", esc(name));
    let _ = write!(
        out,
        "<style>{STYLE}</style></head>\n<body><div id=\"fr\"><main>\n"
    );
    out.push_str("<nav class=\"lang\"><a class=\"en\" href=\"#fr\" lang=\"fr\">Français</a><a class=\"fr\" href=\"#\" lang=\"en\">English</a></nav>\n");
    let _ = writeln!(
        out,
        "<h1>{} <code>{}</code></h1>",
        bi("Reviewer’s report:", "Rapport d’examen :"),
        esc(name)
    );
    summary(&mut out, report);
    for r in &report.releases {
        manifest(&mut out, r);
    }
    for t in &report.tables {
        table_section(&mut out, t);
    }
    out.push_str("</main></div></body></html>\n");
    out
}

/// The rule in words, both languages.
fn rule_words(rule: &RuleDoc) -> (String, String) {
    let [lo, hi] = rule.suppress;
    let base = rule.rounding_base;
    let (zero_en, zero_fr) = match rule.zero {
        ZeroDisplay::Zero => ("A true zero is shown 0.", "Un zéro vrai est publié 0."),
        ZeroDisplay::Suppressed => ("A true zero is shown --.", "Un zéro vrai est publié --."),
    };
    let (tie_en, tie_fr) = match rule.tie {
        TieRule::Up => ("up", "vers le haut"),
        TieRule::Down => ("down", "vers le bas"),
        TieRule::Even => ("to the even multiple", "vers le multiple pair"),
    };
    let shown_en = if base == 1 {
        "Other counts are shown exactly.".to_string()
    } else {
        format!("Other counts are rounded to the nearest multiple of {base} (half-way: {tie_en}).")
    };
    let shown_fr = if base == 1 {
        "Les autres effectifs sont publiés exacts.".to_string()
    } else {
        format!("Les autres effectifs sont arrondis au multiple de {base} le plus proche (à mi-chemin : {tie_fr}).")
    };
    let (m_en, m_fr) = match rule.kind {
        Method::Ircc => (
            "Method ircc: the rule alone, cell by cell; no secondary suppression.",
            "Méthode ircc : la règle seule, cellule par cellule ; pas de suppression secondaire.",
        ),
        Method::IrccRepaired => (
            "Method ircc-repaired: the rule, then cells hidden until the release’s own audit found nothing; a -- may hide any count.",
            "Méthode ircc-repaired : la règle, puis des cellules masquées jusqu’à ce que l’audit de la publication ne trouve rien ; un -- peut cacher tout effectif.",
        ),
        Method::Threshold => (
            "Method threshold: secondary suppression by Gaussian elimination over all tables, then audit and repair; a -- may hide any count.",
            "Méthode threshold : suppression secondaire par élimination de Gauss sur tous les tableaux, puis audit et réparation ; un -- peut cacher tout effectif.",
        ),
        Method::Hypercube => (
            "Method hypercube: secondary suppression by hypercubes, then audit and repair; a -- may hide any count.",
            "Méthode hypercube : suppression secondaire par hypercubes, puis audit et réparation ; un -- peut cacher tout effectif.",
        ),
    };
    (
        format!("Counts {lo} to {hi} are shown --. {zero_en} {shown_en} {m_en}"),
        format!("Les effectifs de {lo} à {hi} sont publiés --. {zero_fr} {shown_fr} {m_fr}"),
    )
}

fn summary(out: &mut String, report: &Report) {
    let a = &report.audit;
    let _ = writeln!(out, "<h2>{}</h2>", bi("Summary", "Sommaire"));
    for (i, r) in report.releases.iter().enumerate() {
        let (en, fr) = rule_words(&r.rule);
        let role = if i == 0 {
            bi("Release", "Publication")
        } else {
            bi(
                "Earlier release audited with it",
                "Publication antérieure auditée avec elle",
            )
        };
        let _ = write!(out, "<p>{role} <code>{}</code>", esc(&r.name));
        if let Some(p) = &r.published {
            let _ = write!(out, ", {} {}", bi("published", "publiée le"), esc(p));
        }
        if let Some(f) = &r.final_through {
            let _ = write!(
                out,
                "; {} {}",
                bi("final through", "définitive jusqu’à"),
                esc(f)
            );
        }
        if let Some(v) = &r.tool_version {
            let _ = write!(out, "; discreet {}", esc(v));
        }
        let _ = writeln!(out, ".<br>{}</p>", bi(&esc(&en), &esc(&fr)));
    }
    let problems: usize = report
        .releases
        .iter()
        .map(|r| r.files.iter().filter(|f| f.problem.is_some()).count() + r.other_problems.len())
        .sum();
    let files: usize = report.releases.iter().map(|r| r.files.len()).sum();
    let manifest = if problems == 0 {
        format!(
            "<span class=\"ok\">{}</span>",
            bi(
                &format!("all {files} files match the manifest"),
                &format!("les {files} fichiers sont conformes au manifeste")
            )
        )
    } else {
        format!(
            "<span class=\"bad\">{}</span>",
            bi(
                &format!("{problems} problems with the manifest"),
                &format!("{problems} problèmes de manifeste")
            )
        )
    };
    let found = a.disclosed + a.narrowed + a.inconsistent;
    let verdict = if found == 0 {
        format!("<span class=\"ok\">{}</span>", bi("clean", "rien trouvé"))
    } else {
        format!(
            "<span class=\"bad\">{}</span>",
            bi(
                &format!(
                    "{} disclosed, {} narrowed, {} inconsistent",
                    a.disclosed, a.narrowed, a.inconsistent
                ),
                &format!(
                    "{} divulguées, {} resserrées, {} incohérentes",
                    a.disclosed, a.narrowed, a.inconsistent
                )
            )
        )
    };
    let _ = writeln!(
        out,
        "<p>{}: {manifest}.<br>{}: {verdict} ({}).</p>",
        bi("Manifest", "Manifeste"),
        bi("Audit from the outside", "Audit de l’extérieur"),
        bi(
            &format!(
                "{} cells, {} relations; counts under {} protected; a protected cell known to fewer than {} values is narrowed",
                a.cells, a.relations, a.protect_below, a.min_width
            ),
            &format!(
                "{} cellules, {} relations ; effectifs sous {} protégés ; une cellule protégée connue à moins de {} valeurs près est resserrée",
                a.cells, a.relations, a.protect_below, a.min_width
            )
        )
    );
    tables_overview(out, report);
}

fn tables_overview(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<table class=\"t\"><tr><th>{}</th><th>{}</th><th>0</th><th>--</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        bi("Table", "Tableau"),
        bi("Cells", "Cellules"),
        bi("shown", "publiées"),
        bi("findings", "constats"),
        bi("hidden share of the total (bounds, %)", "part cachée du total (bornes, %)"),
        bi("most a rounded cell moved", "écart d’arrondi maximal"),
    );
    for t in &report.tables {
        let [z, h, s] = t.by_status;
        let (share, moved) = match &t.loss {
            Some(l) => (
                format!("{} – {}", esc(&l.share_at_least), esc(&l.share_at_most)),
                l.rounding_at_most.to_string(),
            ),
            None => (String::new(), String::new()),
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#t-{0}\">{0}</a></td><td class=\"n\">{1}</td><td class=\"n\">{z}</td><td class=\"n\">{h}</td><td class=\"n\">{s}</td><td class=\"n\">{2}</td><td>{share}</td><td class=\"n\">{moved}</td></tr>",
            esc(&t.label),
            t.shown.len(),
            t.findings.len(),
        );
    }
    out.push_str("</table>\n");
}

fn manifest(out: &mut String, r: &ReleaseInfo) {
    let _ = writeln!(
        out,
        "<h2>{} <code>{}</code></h2><table class=\"t\"><tr><th>{}</th><th>SHA-256</th><th>{}</th></tr>",
        bi("Files and manifest:", "Fichiers et manifeste :"),
        esc(&r.name),
        bi("File", "Fichier"),
        bi("Check", "Contrôle"),
    );
    for f in &r.files {
        let status = match &f.problem {
            None => format!("<span class=\"ok\">{}</span>", bi("ok", "conforme")),
            Some(p) => format!("<span class=\"bad\">{}</span>", esc(p)),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{status}</td></tr>",
            esc(&f.path),
            esc(&f.sha256)
        );
    }
    out.push_str("</table>\n");
    for p in &r.other_problems {
        let _ = writeln!(out, "<p class=\"bad\">{}</p>", esc(p));
    }
}

fn table_section(out: &mut String, t: &TableReport) {
    // Off-screen tables are laid out only when scrolled to: a large
    // release's page opens about as fast as a small one's.
    out.push_str("<section class=\"tab\">");
    let _ = writeln!(
        out,
        "<h2 id=\"t-{0}\">{1} <code>{0}</code></h2>",
        esc(&t.label),
        bi("Table", "Tableau")
    );
    let dims: Vec<String> = t
        .dims
        .iter()
        .map(|d| {
            format!(
                "<code>{}</code> ({})",
                esc(&d.name),
                bi(&esc(&d.en), &esc(&d.fr))
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "<p>{}: {}.</p>",
        bi("Dimensions", "Dimensions"),
        dims.join(" × ")
    );
    if let Some(l) = &t.loss {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            bi(
                &format!(
                    "Information loss (from the manifest): {} cells hidden; the hidden cells hold between {} % and {} % of the total; a rounded cell moved by at most {}.",
                    l.cells_hidden, esc(&l.share_at_least), esc(&l.share_at_most), l.rounding_at_most
                ),
                &format!(
                    "Perte d’information (selon le manifeste) : {} cellules cachées ; elles regroupent entre {} % et {} % du total ; l’arrondi a déplacé une cellule d’au plus {}.",
                    l.cells_hidden, esc(&l.share_at_least), esc(&l.share_at_most), l.rounding_at_most
                )
            )
        );
    }
    heatmap(out, t);
    findings(out, t);
    out.push_str("</section>\n");
}

fn findings(out: &mut String, t: &TableReport) {
    if t.findings.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"ok\">{}</p>",
            bi(
                "The audit finds nothing in this table.",
                "L’audit ne trouve rien dans ce tableau."
            )
        );
        return;
    }
    // A long list starts folded (a browser lays out a folded list only
    // when opened, so a large release's page still opens quickly); the
    // heat map above shows where its cells are.
    let open = if t.findings.len() <= FINDINGS_OPEN {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details{open}><summary><h3>{} ({})</h3></summary><table class=\"t\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        bi("Findings", "Constats"),
        t.findings.len(),
        bi("Cell", "Cellule"),
        bi("Shown", "Publié"),
        bi("An outsider proves", "Un tiers prouve"),
        bi("Finding", "Constat"),
        bi("Why: the relations that give it", "Pourquoi : les relations qui le donnent"),
    );
    for f in &t.findings {
        finding_row(out, f);
    }
    out.push_str("</table></details>\n");
}

fn kind_words(kind: &str) -> String {
    match kind {
        "disclosed" => bi("disclosed", "divulguée"),
        "narrowed" => bi("narrowed", "resserrée"),
        _ => bi("inconsistent", "incohérente"),
    }
}

fn finding_row(out: &mut String, f: &FindingReport) {
    let codes: Vec<&str> = f.cell.cell.iter().map(|(_, c)| c.as_str()).collect();
    let _ = write!(
        out,
        "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>",
        esc(&codes.join(" · ")),
        esc(&f.cell.shown),
        interval(f.cell.interval),
        kind_words(f.kind)
    );
    if f.from_several {
        let _ = write!(
            out,
            "<div>{}</div>",
            bi(
                "No relation gives it alone: these together do (the audit’s LP).",
                "Aucune relation ne le donne seule : ensemble, celles-ci le donnent (PL de l’audit)."
            )
        );
    }
    for r in &f.relations {
        relation(out, f, r);
    }
    out.push_str("</td></tr>\n");
}

/// A cell inside a relation: the codes that differ from the finding's
/// cell (all of them for a cell of another table), its shown value and
/// what the audit infers.
fn member(f: &FindingReport, c: &CellRef) -> String {
    let name = if c.table == f.cell.table {
        let differ: Vec<&str> = (c.cell.iter().zip(&f.cell.cell))
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a.1.as_str())
            .collect();
        if differ.is_empty() {
            bi("this cell", "cette cellule")
        } else {
            esc(&differ.join(" · "))
        }
    } else {
        let codes: Vec<&str> = c.cell.iter().map(|(_, v)| v.as_str()).collect();
        format!("{}: {}", esc(&c.table), esc(&codes.join(" · ")))
    };
    format!("<b>{name}</b> ({} {})", esc(&c.shown), interval(c.interval))
}

fn relation(out: &mut String, f: &FindingReport, r: &RelationReport) {
    let parts: Vec<String> = r.parts.iter().map(|p| member(f, p)).collect();
    let more = if r.more_parts > 0 {
        format!(
            " + {}",
            bi(
                &format!("{} more parts", r.more_parts),
                &format!("{} autres parties", r.more_parts)
            )
        )
    } else {
        String::new()
    };
    let total = member(f, &r.total);
    let body = match r.kind {
        RelationWord::Sum => format!("{total} = {}{more}", parts.join(" + ")),
        RelationWord::Distinct => format!(
            "{total} {} {}{more}",
            bi(
                "lies between the largest and the sum of",
                "est entre la plus grande et la somme de"
            ),
            parts.join(", ")
        ),
        RelationWord::Same => format!(
            "{total} = {} {}",
            parts.join(""),
            bi("(same rows)", "(mêmes lignes)")
        ),
    };
    let gives = match r.gives {
        (true, true) => bi("gives both bounds", "donne les deux bornes"),
        (true, false) => bi("gives the lower bound", "donne la borne inférieure"),
        (false, true) => bi("gives the upper bound", "donne la borne supérieure"),
        (false, false) => bi("alone allows", "seule permet"),
    };
    let _ = writeln!(
        out,
        "<div class=\"rel\">{body} <i>{gives}: {}</i></div>",
        interval(r.implied)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(esc("2024-Q1 · –"), "2024-Q1 · –");
    }

    #[test]
    fn intervals_read_as_in_the_audit() {
        assert_eq!(interval(Interval::exact(1)), "[1, 1]");
        assert_eq!(interval(Interval::at_least(5)), "[5, ∞)");
    }

    /// The IRCC rule in words, both languages, with its parameters.
    #[test]
    fn the_rule_in_words() {
        let rule = RuleDoc {
            kind: Method::Ircc,
            rounding_base: 5,
            suppress: [1, 4],
            tie: TieRule::Up,
            zero: ZeroDisplay::Zero,
        };
        let (en, fr) = rule_words(&rule);
        assert_eq!(
            en,
            "Counts 1 to 4 are shown --. A true zero is shown 0. Other counts are rounded to the nearest multiple of 5 (half-way: up). Method ircc: the rule alone, cell by cell; no secondary suppression."
        );
        assert!(fr.starts_with("Les effectifs de 1 à 4 sont publiés --."));
        let exact = RuleDoc {
            kind: Method::Threshold,
            rounding_base: 1,
            ..rule
        };
        let (en, _) = rule_words(&exact);
        assert!(en.contains("Other counts are shown exactly."));
        assert!(en.contains("a -- may hide any count"));
    }
}
