//! How the pipeline tells its caller what it is doing.

/// Receives progress and notices. Messages never hold true counts.
pub trait Reporter {
    /// A long stage starts (`reading admissions`).
    fn stage_start(&mut self, stage: &str);
    /// The stage that started last is finished.
    fn stage_end(&mut self, stage: &str, seconds: f64);
    /// Something the user should know but that does not stop the run.
    fn warn(&mut self, message: &str);
}

/// A reporter that discards everything (tests, library use).
pub struct NullReporter;

impl Reporter for NullReporter {
    fn stage_start(&mut self, _: &str) {}
    fn stage_end(&mut self, _: &str, _: f64) {}
    fn warn(&mut self, _: &str) {}
}

/// Runs `f` as a named stage.
pub(crate) fn stage<T>(r: &mut dyn Reporter, name: &str, f: impl FnOnce() -> T) -> T {
    r.stage_start(name);
    let t = std::time::Instant::now();
    let out = f();
    r.stage_end(name, t.elapsed().as_secs_f64());
    out
}
