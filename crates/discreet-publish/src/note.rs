//! The rounding note that accompanies every table, in both languages,
//! worded as IRCC words it and adjusted to the declared parameters.

use discreet_core::{IrccRule, ZeroDisplay};

/// IRCC's note for the rule's parameters (verbatim for the default rule).
pub fn rule_note(rule: &IrccRule) -> (String, String) {
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
    let en = format!(
        "Please note that all values between {lo} and {hi} are shown as \"--\". This is done to prevent individuals from being identified when IRCC data is compiled and compared to other publicly available statistics. All other values are rounded to the closest multiple of {b} for the same reason; as a result of rounding, data may not sum to the totals indicated.{zero_en}"
    );
    let fr = format!(
        "Veuillez noter que toutes les valeurs entre {lo} et {hi} sont indiquées par « -- ». Cette mesure vise à empêcher l’identification de personnes lorsque les données d’IRCC sont compilées et comparées à d’autres statistiques accessibles au public. Toutes les autres valeurs sont arrondies au multiple de {b} le plus près pour la même raison; en raison de l’arrondissement, la somme des données peut ne pas correspondre aux totaux indiqués.{zero_fr}"
    );
    (en, fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rule_gives_ircc_wording() {
        let (en, fr) = rule_note(&IrccRule::default());
        assert!(en.starts_with("Please note that all values between 0 and 5 are shown as \"--\"."));
        assert!(en.contains("closest multiple of 5"));
        assert!(fr.contains("entre 0 et 5"));
    }
}
