//! `verifik-conformance fixtures`: regenerate the derived fixtures, compare their digests with
//! `fixtures/manifest.json`, write them out for looking at, or record new digests.

use std::process::ExitCode;

use crate::cli::FixturesArgs;

use super::fail;

#[expect(clippy::print_stdout, reason = "the fixture table is the command's output")]
pub fn fixtures(args: &FixturesArgs) -> ExitCode {
    use verifik_conformance::faces;
    let set = faces::build();
    let entries = faces::derived_entries(&set);
    if let Some(dir) = &args.out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(2, &format!("cannot create {}: {e}", dir.display()));
        }
        for f in &set {
            let ext = if f.media_type == verifik_conformance::api::ImageMediaType::Png { "png" } else { "jpg" };
            let name = format!("{}.{ext}", f.id.replace('/', "--"));
            if let Err(e) = std::fs::write(dir.join(&name), &f.bytes) {
                return fail(2, &format!("cannot write {name}: {e}"));
            }
        }
    }
    if args.write_manifest {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/manifest.json");
        let updated = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|mut v| {
                v["derived"] = serde_json::to_value(&entries).ok()?;
                serde_json::to_string_pretty(&v).ok()
            });
        match updated.map(|text| std::fs::write(&path, text + "\n")) {
            Some(Ok(())) => println!("rewrote the derived digests in {}", path.display()),
            _ => return fail(2, &format!("cannot rewrite {}", path.display())),
        }
        return ExitCode::SUCCESS;
    }
    let recorded = match faces::manifest() {
        Ok(m) => m.derived,
        Err(e) => return fail(2, &format!("fixtures/manifest.json does not parse: {e}")),
    };
    let mut drift = 0;
    for e in &entries {
        let status = match recorded.iter().find(|r| r.id == e.id) {
            Some(r) if r == e => "ok",
            Some(_) => "DRIFT",
            None => "NEW",
        };
        if status != "ok" {
            drift += 1;
        }
        println!("{status:5} {:32} {:24} {}", e.id, e.class.label(), &e.sha256[..16]);
    }
    println!("{} derived fixtures, {drift} differing from the manifest", entries.len());
    if drift == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
