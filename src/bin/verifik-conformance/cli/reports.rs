//! The report flags `run`, `diff` and `coverage` share: what each writes is said in the command's docs.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ReportFlags {
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the report as NDJSON, one JSON record a line.
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,
    /// Write a self-contained HTML report into this directory (index.html).
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
}

impl ReportFlags {
    /// The report files (not the HTML directory), to check before a run that they can be written.
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        self.junit.iter().chain(&self.ndjson)
    }

    pub fn paths(&self) -> verifik_conformance::report::Paths {
        verifik_conformance::report::Paths {
            junit: self.junit.clone(),
            ndjson: self.ndjson.clone(),
            html: self.html.clone(),
        }
    }
}
