//! `--help` shows an example per command; `completions` prints a script;
//! errors in `--log json` carry the exit code the command ends with.

mod common;

use common::*;

#[test]
fn every_command_has_an_example() {
    for cmd in ["run", "check", "verify", "audit", "testdata", "completions"] {
        let o = discreet([cmd, "--help"]);
        assert_eq!(code(&o), 0, "{cmd}: {}", stderr(&o));
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("Example"), "{cmd}: {help}");
        assert!(help.contains(&format!("discreet {cmd} ")), "{cmd}: {help}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = discreet(["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("discreet"), "{shell}");
        assert!(script.contains("audit"), "{shell}");
    }
    assert_eq!(code(&discreet(["completions", "tcsh"])), 2);
}

#[test]
fn an_error_event_carries_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let o = discreet([
        "audit".as_ref(),
        tmp.path().as_os_str(),
        "--log".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code(&o), 2);
    let event: serde_json::Value = stderr(&o)
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("a JSON line");
    assert_eq!(event["event"], "error");
    assert_eq!(event["exit"], 2);
    assert!(event["message"]
        .as_str()
        .unwrap()
        .contains("not a release folder"));
}

#[test]
fn output_flags_are_named_in_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("file");
    std::fs::write(&out, "x").unwrap();
    let o = discreet([
        "run".as_ref(),
        pipeline("pr_age_gender_year.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!(
            "--out {}: exists and is not a folder",
            out.display()
        )),
        "{}",
        stderr(&o)
    );
}
