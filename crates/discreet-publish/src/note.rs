//! The rounding note that accompanies every table, in both languages,
//! worded as IRCC words it and adjusted to the declared parameters.

use discreet_core::ZeroDisplay;
use discreet_spec::Plan;

/// IRCC's note for the plan's rule (verbatim for the default rule), with a
/// sentence for exact counts and for secondary suppression when the
/// protection method uses them.
pub fn rule_note(plan: &Plan) -> (String, String) {
    let rule = &plan.rule;
    let lo = rule.suppress_lo() - 1;
    let hi = rule.suppress_hi() + 1;
    let b = rule.base();
    let zero_en = match rule.zero_display() {
        ZeroDisplay::Zero => "",
        ZeroDisplay::Suppressed => " Zero values are also shown as \"--\".",
    };
    let zero_fr = match rule.zero_display() {
        ZeroDisplay::Zero => "",
        ZeroDisplay::Suppressed => " Les valeurs nulles sont aussi indiquées par « -- ».",
    };
    let (rest_en, rest_fr) = if b == 1 {
        (
            "All other values are exact counts.".to_string(),
            "Toutes les autres valeurs sont des comptes exacts.".to_string(),
        )
    } else {
        (
            format!("All other values are rounded to the closest multiple of {b} for the same reason; as a result of rounding, data may not sum to the totals indicated."),
            format!("Toutes les autres valeurs sont arrondies au multiple de {b} le plus près pour la même raison; en raison de l’arrondissement, la somme des données peut ne pas correspondre aux totaux indiqués."),
        )
    };
    let (x_en, x_fr) = if plan.protection.method.has_secondary() {
        (
            " Some larger values are also shown as \"--\", so that small values cannot be worked out from the totals.",
            " Certaines valeurs plus grandes sont aussi indiquées par « -- », afin que les petites valeurs ne puissent être déduites des totaux.",
        )
    } else {
        ("", "")
    };
    let en = format!(
        "Please note that all values between {lo} and {hi} are shown as \"--\". This is done to prevent individuals from being identified when IRCC data is compiled and compared to other publicly available statistics. {rest_en}{zero_en}{x_en}"
    );
    let fr = format!(
        "Veuillez noter que toutes les valeurs entre {lo} et {hi} sont indiquées par « -- ». Cette mesure vise à empêcher l’identification de personnes lorsque les données d’IRCC sont compilées et comparées à d’autres statistiques accessibles au public. {rest_fr}{zero_fr}{x_fr}"
    );
    (en, fr)
}

/// IRCC's note on tables that count holders (distinct people), in English
/// and French.
pub const DISTINCT_NOTE: (&str, &str) = (
    "Total unique counts may not equal the sum of permit holders as individuals may hold multiple permit types.",
    "Le nombre total de titulaires uniques peut ne pas correspondre à la somme des titulaires de permis, car une personne peut détenir plusieurs types de permis.",
);

/// The notes that go with one table: the rule's, then the holders' note
/// when its totals count distinct people.
pub fn table_note(plan: &Plan, table: &discreet_spec::TablePlan) -> (String, String) {
    let (mut en, mut fr) = rule_note(plan);
    if table.count_distinct.is_some() {
        en = format!("{en} {}", DISTINCT_NOTE.0);
        fr = format!("{fr} {}", DISTINCT_NOTE.1);
    }
    (en, fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rule_gives_ircc_wording() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../pipelines/pr_age_gender_year.toml"
        ))
        .unwrap();
        let plan = Plan::parse("p.toml", &text).unwrap();
        let (en, fr) = rule_note(&plan);
        assert!(en.starts_with("Please note that all values between 0 and 5 are shown as \"--\"."));
        assert!(en.contains("closest multiple of 5"));
        assert!(fr.contains("entre 0 et 5"));
    }
}
