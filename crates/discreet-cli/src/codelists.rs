//! `discreet codelists`: the codelists a spec may name (built in, or a
//! spec's own with `--spec`), and one of them in the file format an
//! analyst can start a list of their own from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use discreet_spec::codelist::{builtin, BUILTIN_NAMES};
use discreet_spec::{Codelist, Plan};

use crate::outcome::{CliError, Outcome};

/// Arguments of `discreet codelists`.
#[derive(Args)]
pub struct CodelistsArgs {
    /// One codelist to print; all are listed when absent.
    name: Option<String>,
    /// Print as CSV: the list in the codelist file format
    /// (`code,en,fr,parent`), or the listing as `name,codes,groups,levels`.
    #[arg(long)]
    csv: bool,
    /// Also the codelists this spec brings (they take precedence).
    #[arg(long, value_name = "SPEC")]
    spec: Option<PathBuf>,
}

/// Lists the codelists, or prints one.
pub fn codelists(args: CodelistsArgs) -> Result<Outcome, CliError> {
    let mut lists: BTreeMap<String, Codelist> = BUILTIN_NAMES
        .iter()
        .map(|n| (n.to_string(), builtin(n).expect("built in")))
        .collect();
    if let Some(spec) = &args.spec {
        let plan = Plan::load(spec)?;
        for name in plan.spec.codelists.keys() {
            if let Some(list) = plan.codelists.get(name) {
                lists.insert(name.clone(), list.clone());
            }
        }
    }
    let Some(name) = &args.name else {
        print!("{}", listing(&lists, args.csv));
        return Ok(Outcome::Clean);
    };
    let list = lists.get(name).ok_or_else(|| {
        let names: Vec<&str> = lists.keys().map(String::as_str).collect();
        CliError::Other(
            format!(
                "unknown codelist `{name}`; expected one of {}",
                names.join(", ")
            )
            .into(),
        )
    })?;
    if args.csv {
        print!("{}", list.to_csv());
    } else {
        print!("{}", tree(list));
    }
    Ok(Outcome::Clean)
}

/// One line per list: its name, its codes (what microdata may hold), its
/// groups and its number of levels.
fn listing(lists: &BTreeMap<String, Codelist>, csv: bool) -> String {
    let mut out = if csv {
        "name,codes,groups,levels\n".to_string()
    } else {
        format!(
            "{:<28} {:>6} {:>7} {:>7}\n",
            "name", "codes", "groups", "levels"
        )
    };
    for (name, l) in lists {
        let codes = l.entries.iter().filter(|e| l.contains(&e.code)).count();
        let groups = match &l.parent_list {
            Some(p) => builtin(p).map_or(0, |p| p.entries.len()),
            None => l.entries.len() - codes,
        };
        let levels = l.levels();
        out += &if csv {
            format!("{name},{codes},{groups},{levels}\n")
        } else {
            format!("{name:<28} {codes:>6} {groups:>7} {levels:>7}\n")
        };
    }
    out
}

/// The list as an indented tree: code, English and French labels.
fn tree(list: &Codelist) -> String {
    let text = list.to_csv();
    let nested = Codelist::from_file_bytes(&list.name, text.as_bytes())
        .expect("a list's own file form reads back");
    nested
        .tree_order()
        .iter()
        .map(|e| {
            let depth = nested.ancestors(&e.code).count();
            format!(
                "{:indent$}{}  {} / {}\n",
                "",
                e.code,
                e.label.en,
                e.label.fr,
                indent = 2 * (depth - 1)
            )
        })
        .collect()
}
