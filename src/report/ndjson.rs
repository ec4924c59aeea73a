//! `--ndjson FILE`: one JSON object per check (behaviour, check, seed, verdict, redacted exchange).

use std::io::Write;
use std::path::Path;

use super::Event;

pub fn write(path: &Path, events: &[Event]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for e in events {
        serde_json::to_writer(&mut out, e)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
