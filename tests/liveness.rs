//! The liveness recorder against the embedded emulator: every fixture gets the outcome its manifest
//! entry expects (bona fide pass, every attack species is rejected, non-faces and the group photo give
//! their quality failures); two runs of the same emulator compare as stable; the `liveness-shift`
//! deviation compares as drifted and names the flipped fixture; derived fixtures match their digests.

use std::time::Duration;

use verifik_conformance::api::Os;
use verifik_conformance::emulator::Deviation;
use verifik_conformance::faces::{self, Class};
use verifik_conformance::liveness::compare::{Verdict, compare};
use verifik_conformance::liveness::record::{Decision, RunFile, meets, record};
use verifik_conformance::suite::{Ctx, RunSettings, TargetSpec};

fn run(deviations: Vec<Deviation>, set: &[faces::Fixture]) -> RunFile {
    let settings = RunSettings { timeout: Duration::from_secs(60), ..RunSettings::new(1, 1) };
    let ctx = Ctx::new(&TargetSpec::Embedded { deviations }, &settings).expect("emulator starts");
    record(&ctx, set, &[Os::Desktop], 1, "embedded emulator".into())
}

#[test]
fn derived_fixtures_match_the_manifest_digests() {
    let recorded = faces::manifest().expect("manifest parses").derived;
    let generated = faces::derived_entries(&faces::build());
    assert_eq!(generated.len(), recorded.len());
    for g in &generated {
        let r = recorded.iter().find(|r| r.id == g.id).unwrap_or_else(|| panic!("{} is not in the manifest", g.id));
        assert_eq!(r, g, "{} drifted from its recorded digest", g.id);
    }
}

#[test]
fn emulator_outcomes_stability_and_drift() {
    let set = faces::build();
    let first = run(Vec::new(), &set);
    for (f, s) in set.iter().zip(&first.samples) {
        assert_eq!(f.id, s.fixture);
        assert!(
            meets(f.expected, s),
            "{}: expected {:?}, got {:?} {:?} {:?}",
            f.id,
            f.expected,
            s.decision,
            s.score,
            s.detail
        );
        if matches!(f.class, Class::Attack(_)) {
            assert_ne!(s.decision, Decision::Pass, "{} passed", f.id);
        }
    }
    let m = &first.metrics;
    assert_eq!(m.apcer.len(), 2, "a rate for each attack species");
    assert!(m.apcer.values().all(|r| r.x == 0), "{:?}", m.apcer);
    assert_eq!(m.bpcer.map(|r| r.x), Some(0));
    assert!(
        first
            .samples
            .iter()
            .any(|s| s.fixture == "solvay1927" && s.detail.as_deref() == Some("ERR_MULTIPLE_FACES_DETECTED"))
    );

    let second = run(Vec::new(), &set);
    let same = compare(&first, &second);
    assert_eq!(same.verdict, Verdict::Stable, "{}", same.summary());

    let shifted = run(vec![Deviation::LivenessShift], &set);
    let drift = compare(&first, &shifted);
    assert_eq!(drift.verdict, Verdict::Drifted, "{}", drift.summary());
    let flipped: Vec<&str> = drift.flips.iter().map(|f| f.fixture.as_str()).collect();
    assert_eq!(flipped, ["obama3/jpeg-q30"], "{}", drift.summary());
    assert!(drift.median_abs_delta.is_some_and(|d| (d - 0.10).abs() < 1e-9));

    // The binary's `compare`: exit 0 when stable, 1 on drift (naming the fixture), 2 on a bad file.
    let dir = std::env::temp_dir().join(format!("verifik-liveness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, r: &RunFile| {
        let p = dir.join(name);
        std::fs::write(&p, serde_json::to_vec(r).expect("json")).expect("write");
        p
    };
    let (a, b, c) = (write("a.json", &first), write("b.json", &second), write("c.json", &shifted));
    let compare_bin = |x: &std::path::Path, y: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
            .arg("compare")
            .arg(x)
            .arg(y)
            .output()
            .expect("runs")
    };
    assert_eq!(compare_bin(&a, &b).status.code(), Some(0));
    let drifted = compare_bin(&a, &c);
    assert_eq!(drifted.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&drifted.stdout).contains("flipped: obama3/jpeg-q30"));
    assert_eq!(compare_bin(&a, &dir.join("missing.json")).status.code(), Some(2));

    // A dead target: `liveness` exits 1 naming the cause, and compares as drifted.
    let dead_dir = dir.join("dead");
    let dead = std::process::Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
        .args(["liveness", "--base-url", "http://127.0.0.1:1", "--client-token", "x", "--os", "DESKTOP", "--out"])
        .arg(&dead_dir)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&dead.stderr);
    assert_eq!(dead.status.code(), Some(1), "{said}");
    assert!(said.contains("no presentation of 54 was judged") && said.contains("could not connect"), "{said}");
    let gone = compare_bin(&a, &dead_dir.join("run.json"));
    let out = String::from_utf8_lossy(&gone.stdout);
    assert_eq!(gone.status.code(), Some(1), "{out}");
    assert!(out.contains("verdict: drifted") && out.contains("the error share changed: 0/54 -> 54/54"), "{out}");
    let html = verifik_conformance::liveness::html::render(&first);
    assert!(html.contains("APCER attack/print") && html.contains("<svg") && html.contains("polyline"));
    let _ = std::fs::remove_dir_all(dir);
}
