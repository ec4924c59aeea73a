//! Reporters: consumers of the events a run collected. Each file writes one format.

pub(crate) mod html;
pub(crate) mod junit;
pub mod ndjson;

pub use crate::suite::event::{Event, Verdict};

use std::path::PathBuf;

use crate::suite::Behaviour;
use crate::suite::runner::RunResult;

/// Where the reports of a run go; each is optional.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    pub junit: Option<PathBuf>,
    pub ndjson: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub har: Option<PathBuf>,
}

impl Outputs {
    /// Writes every requested report; the first failure names its path.
    pub fn write(&self, result: &RunResult, catalogue: &[Behaviour]) -> Result<(), (PathBuf, std::io::Error)> {
        if let Some(p) = &self.junit {
            junit::write(p, result).map_err(|e| (p.clone(), e))?;
        }
        if let Some(p) = &self.ndjson {
            ndjson::write(p, result).map_err(|e| (p.clone(), e))?;
        }
        if let Some(p) = &self.html {
            html::write(p, result, catalogue).map_err(|e| (p.clone(), e))?;
        }
        if let (Some(p), Some(doc)) = (&self.har, &result.har) {
            let bytes = serde_json::to_vec_pretty(doc).map_err(|e| (p.clone(), e.into()))?;
            crate::target::redactor::write_artefact(p, bytes).map_err(|e| (p.clone(), e))?;
        }
        Ok(())
    }
}
