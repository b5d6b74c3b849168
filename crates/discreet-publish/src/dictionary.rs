//! The bilingual data dictionary of a table: one row per column of the
//! tidy CSV, then, when the release holds IRCC's long file, one row per
//! column of that file, saying it is tab-separated; and, when the release
//! declares its final month, the Parquet file's `preliminary` column.

use discreet_spec::{Plan, TableFormat};

use crate::cells::{column_names, TableView};
use crate::error::PublishError;

/// Column descriptions in both languages, as `(type, en, fr)`.
fn describe(plan: &Plan, dim: &str, suffix: &str) -> (&'static str, String, String) {
    let d = &plan.dimensions[dim];
    let (en, fr) = (&d.spec.label.en, &d.spec.label.fr);
    match suffix {
        "" => (
            "string",
            format!("{en}: code (TOTAL for the total of all codes)"),
            format!("{fr} : code (TOTAL pour le total de tous les codes)"),
        ),
        "_level" => {
            let levels: Vec<String> = {
                let mut seen: Vec<String> = Vec::new();
                for id in d.hierarchy.publication_order() {
                    let l = &d.hierarchy.node(*id).level;
                    if !seen.contains(l) {
                        seen.push(l.clone());
                    }
                }
                seen
            };
            (
                "string",
                format!(
                    "{en}: level of the code in its hierarchy ({})",
                    levels.join(", ")
                ),
                format!(
                    "{fr} : niveau du code dans sa hiérarchie ({})",
                    levels.join(", ")
                ),
            )
        }
        "_en" => (
            "string",
            format!("{en}: English label"),
            format!("{fr} : libellé anglais"),
        ),
        _ => (
            "string",
            format!("{en}: French label"),
            format!("{fr} : libellé français"),
        ),
    }
}

/// The dictionary CSV for a table.
pub(crate) fn dictionary_csv(view: &TableView<'_>, plan: &Plan) -> Result<Vec<u8>, PublishError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let ierr = |e: csv::Error| PublishError::Internal(e.to_string());
    w.write_record(["column", "type", "description_en", "description_fr"])
        .map_err(ierr)?;
    let names = column_names(&view.plan.dimensions);
    for (i, name) in names.iter().enumerate() {
        if name == "count" {
            let (note_en, note_fr) = crate::note::table_note(plan, view.plan);
            w.write_record([
                "count",
                "integer",
                &format!(
                    "Number of persons, protected: \"--\" marks a suppressed count. {note_en}"
                ),
                &format!(
                    "Nombre de personnes, protégé : « -- » indique un nombre supprimé. {note_fr}"
                ),
            ])
            .map_err(ierr)?;
            continue;
        }
        let dim = &view.plan.dimensions[i / 4];
        let suffix = &name[dim.len()..];
        let (ty, en, fr) = describe(plan, dim, suffix);
        w.write_record([name.as_str(), ty, &en, &fr])
            .map_err(ierr)?;
    }
    if let (true, Some(last)) = (
        plan.writes(TableFormat::Parquet),
        &plan.spec.release.final_through,
    ) {
        let file = format!("{}.parquet", view.plan.name);
        w.write_record([
            "preliminary",
            "boolean",
            &format!("In {file} only: true where the cell counts a month after {last}, the last month this release declares final; such counts are preliminary and may be revised in a later release"),
            &format!("Dans {file} seulement : vrai lorsque la cellule compte un mois postérieur à {last}, le dernier mois que cette diffusion déclare définitif ; ces nombres sont provisoires et peuvent être révisés dans une diffusion ultérieure"),
        ])
        .map_err(ierr)?;
    }
    if plan.writes(TableFormat::IrccCsv) {
        let file = crate::ircc_csv::file_name(&view.plan.name);
        let en = format!("In {file} (IRCC's long layout, tab-separated although named .csv)");
        let fr = format!(
            "Dans {file} (présentation longue d’IRCC, séparée par des tabulations malgré l’extension .csv)"
        );
        for c in crate::ircc_csv::label_columns(view, plan) {
            w.write_record([
                c.name.as_str(),
                "string",
                &format!("{en}: {}", c.en),
                &format!("{fr} : {}", c.fr),
            ])
            .map_err(ierr)?;
        }
        w.write_record([
            "TOTAL",
            "integer",
            &format!("{en}: the shown value, as count above"),
            &format!("{fr} : la valeur indiquée, comme count ci-dessus"),
        ])
        .map_err(ierr)?;
    }
    w.into_inner()
        .map_err(|e| PublishError::Internal(e.to_string()))
}
