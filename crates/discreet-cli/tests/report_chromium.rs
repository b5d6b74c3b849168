//! The report of every bundled release, opened in headless Chromium: the
//! page loads with no console message and its screenshot is not blank.
//! Skipped, with a message, where Chromium is not installed (`.ci/run`
//! installs the Debian package `chromium` when it can).

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;

/// The browser: `$CHROMIUM`, else `/usr/bin/chromium`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

/// Opens `page` (with the URL fragment `fragment`, e.g. `#fr`) headless,
/// takes a screenshot; returns the console lines Chromium logged and the
/// screenshot's image data.
fn open(browser: &Path, page: &Path, fragment: &str, work: &Path) -> (Vec<String>, Vec<u8>) {
    let png = work.join("shot.png");
    let _ = std::fs::remove_file(&png);
    let profile = tempfile::tempdir_in(work).unwrap();
    let o = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot of {}: {log}", page.display()));
    (console, png_pixels(&bytes))
}

/// The inflated image data of a PNG (its IDAT chunks): filter bytes and
/// pixels, enough to tell a blank image from a drawn one.
fn png_pixels(png: &[u8]) -> Vec<u8> {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let mut at = 8;
    let mut idat = Vec::new();
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        if kind == b"IDAT" {
            idat.extend_from_slice(&png[at + 8..at + 8 + len]);
        }
        at += 12 + len;
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Distinct byte values: a blank page has two or three (the filter byte
/// and white), a drawn one dozens.
fn distinct(data: &[u8]) -> usize {
    data.iter().collect::<BTreeSet<_>>().len()
}

#[test]
fn every_bundled_report_loads_cleanly_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped: Chromium not found at /usr/bin/chromium or $CHROMIUM (apt-get install chromium)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();

    // The checks below can fail: a blank page is seen as blank, and a page
    // that logs to the console is caught.
    let blank = work.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let (console, pixels) = open(&browser, &blank, "", work);
    assert!(console.is_empty(), "{console:?}");
    assert!(distinct(&pixels) <= 4, "a blank page is not seen as blank");
    let noisy = work.join("noisy.html");
    std::fs::write(
        &noisy,
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let (console, _) = open(&browser, &noisy, "", work);
    assert!(
        console.iter().any(|l| l.contains("boom")),
        "console messages are not seen: {console:?}"
    );

    for spec in pipelines() {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let rel = work.join(&name);
        let o = discreet([
            "run".as_ref(),
            spec.as_os_str(),
            "--out".as_ref(),
            rel.as_os_str(),
        ]);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        let o = discreet(["report".as_ref(), rel.as_os_str()]);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        let page = rel.join("report.html");
        // English, then French.
        for fragment in ["", "#fr"] {
            let (console, pixels) = open(&browser, &page, fragment, work);
            assert!(console.is_empty(), "{name}{fragment}: console: {console:?}");
            assert!(
                distinct(&pixels) > 16,
                "{name}{fragment}: the screenshot is blank ({} distinct bytes)",
                distinct(&pixels)
            );
        }
    }
}
