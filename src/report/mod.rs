//! Reporters: consumers of the events a run collected. Each file writes one format.

pub(crate) mod html;
pub(crate) mod junit;
pub mod ndjson;

pub use crate::suite::event::{Event, Verdict};

use std::path::PathBuf;

use crate::suite::Behaviour;
use crate::suite::runner::RunResult;

/// Where a command's three common reports go (`--junit FILE`, `--ndjson FILE`, `--html DIR`), and how
/// they are written: each rendered only when asked for, through the redactor, the HTML as
/// `DIR/index.html`. `diff` and `coverage` write theirs with it.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub junit: Option<PathBuf>,
    pub ndjson: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

impl Paths {
    /// Writes each report asked for; the first that cannot be written is returned with its path.
    pub fn write(
        &self,
        junit: impl FnOnce() -> String,
        ndjson: impl FnOnce() -> String,
        html: impl FnOnce() -> String,
    ) -> Result<(), (PathBuf, std::io::Error)> {
        use crate::target::redactor::write_artefact;
        if let Some(p) = &self.junit {
            write_artefact(p, junit()).map_err(|e| (p.clone(), e))?;
        }
        if let Some(p) = &self.ndjson {
            write_artefact(p, ndjson()).map_err(|e| (p.clone(), e))?;
        }
        if let Some(dir) = &self.html {
            let p = dir.join("index.html");
            std::fs::create_dir_all(dir).and_then(|()| write_artefact(&p, html())).map_err(|e| (p.clone(), e))?;
        }
        Ok(())
    }
}

/// Where the reports of a run go; each is optional.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    pub reports: Paths,
    pub har: Option<PathBuf>,
}

impl Outputs {
    /// Writes every requested report; the first failure names its path.
    pub fn write(&self, result: &RunResult, catalogue: &[Behaviour]) -> Result<(), (PathBuf, std::io::Error)> {
        self.reports.write(|| junit::render(result), || ndjson::render(result), || html::render(result, catalogue))?;
        if let (Some(p), Some(doc)) = (&self.har, &result.har) {
            let bytes = serde_json::to_vec_pretty(doc).map_err(|e| (p.clone(), e.into()))?;
            crate::target::redactor::write_artefact(p, bytes).map_err(|e| (p.clone(), e))?;
        }
        Ok(())
    }
}
