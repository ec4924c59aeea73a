//! The liveness recorder against the embedded emulator: every fixture gets the outcome its manifest
//! entry expects (on the calibration half: bona fide pass and every attack is rejected; evaluation
//! photos get a decision, which is what a run measures; non-faces and the group photo give their
//! quality failures); the engine's constants are measured again from the calibration half; two runs
//! compare as stable; the `liveness-shift` deviation compares as drifted and names the fixtures that
//! flip; derived fixtures match their digests.

use std::time::Duration;

use verifik_conformance::api::Os;
use verifik_conformance::deviation::Deviation;
use verifik_conformance::faces::{self, Class, FixtureSet};
use verifik_conformance::liveness::compare::{Verdict, compare};
use verifik_conformance::liveness::record::{Decision, RunFile, meets, record};
use verifik_conformance::suite::{Ctx, RunSettings};
use verifik_conformance::target::TargetOptions;

fn run(deviations: Vec<Deviation>, set: &[faces::Fixture]) -> RunFile {
    let settings = RunSettings {
        target: TargetOptions { timeout: Duration::from_secs(60), ..TargetOptions::default() },
        ..RunSettings::new(1, 1)
    };
    let ctx = Ctx::new(&verifik_conformance::embedded::spec(deviations, Default::default()), &settings)
        .expect("emulator starts");
    record(&ctx, set, &[Os::Desktop], 1, "embedded emulator".into())
}

#[test]
fn derived_fixtures_match_the_manifest_digests() {
    let recorded = faces::manifest().expect("manifest parses").derived;
    let generated = faces::derived_entries(faces::set());
    assert_eq!(generated.len(), recorded.len());
    for g in &generated {
        let r = recorded.iter().find(|r| r.id == g.id).unwrap_or_else(|| panic!("{} is not in the manifest", g.id));
        assert_eq!(r, g, "{} drifted from its recorded digest", g.id);
    }
}

#[test]
fn emulator_outcomes_stability_and_drift() {
    let set = faces::set();
    let first = run(Vec::new(), set);
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
        if matches!(f.class, Class::Attack(species) if species.is_calibrated())
            && f.set == Some(FixtureSet::Calibration)
        {
            assert_ne!(s.decision, Decision::Pass, "{} passed", f.id);
        }
    }
    // Reports show the evaluation half; the calibration half separates by construction.
    let m = &first.metrics;
    assert_eq!(m.apcer.len(), 6, "a rate for each attack species");
    assert_eq!(m.bpcer.map(|r| r.n), Some(24), "8 presentations of each of the 3 evaluation people");
    let c = first.calibration_metrics.as_ref().expect("calibration metrics");
    for calibrated in ["attack/print", "attack/screen_replay"] {
        assert_eq!(c.apcer.get(calibrated).map(|r| (r.x, r.n)), Some((0, 4)), "{:?}", c.apcer);
    }
    assert_eq!(c.bpcer.map(|r| (r.x, r.n)), Some((0, 32)));
    let bona: std::collections::BTreeSet<u64> = first
        .samples
        .iter()
        .filter(|s| s.class.is_bona_fide() && s.set == Some(FixtureSet::Evaluation))
        .filter_map(|s| s.score.map(|v| (v * 100.0).round() as u64))
        .collect();
    assert!(bona.len() >= 10, "evaluation bona fide scores spread: {bona:?}");
    assert!(
        first
            .samples
            .iter()
            .any(|s| s.fixture == "solvay1927" && s.detail.as_deref() == Some("ERR_MULTIPLE_FACES_DETECTED"))
    );

    let second = run(Vec::new(), set);
    let same = compare(&first, &second);
    assert_eq!(same.verdict, Verdict::Stable, "{}", same.summary());

    let shifted = run(vec![Deviation::LivenessShift], set);
    let drift = compare(&first, &shifted);
    assert_eq!(drift.verdict, Verdict::Drifted, "{}", drift.summary());
    // Exactly the presentations that passed within 0.10 of the threshold flip.
    let flipped: Vec<&str> = drift.flips.iter().map(|f| f.fixture.as_str()).collect();
    let near: Vec<&str> = first
        .samples
        .iter()
        .filter(|s| s.decision == Decision::Pass && s.score.is_some_and(|v| v <= 0.70 + 1e-9))
        .map(|s| s.fixture.as_str())
        .collect();
    assert!(!near.is_empty());
    assert_eq!(flipped, near, "{}", drift.summary());
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
    assert!(String::from_utf8_lossy(&drifted.stdout).contains(&format!("flipped: {}", near[0])));
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
    let all = set.len();
    assert!(
        said.contains(&format!("no presentation of {all} was judged")) && said.contains("could not connect"),
        "{said}"
    );
    let gone = compare_bin(&a, &dead_dir.join("run.json"));
    let out = String::from_utf8_lossy(&gone.stdout);
    assert_eq!(gone.status.code(), Some(1), "{out}");
    let shares = format!("error shares (Fisher's exact test): 0/{all} -> {all}/{all} presentations ended in an error");
    assert!(out.contains("verdict: drifted") && out.contains(&shares) && out.contains("guarantee:"), "{out}");
    let html = verifik_conformance::liveness::html::render(&first);
    assert!(html.contains("APCER attack/print") && html.contains("<svg") && html.contains("polyline"));
    let _ = std::fs::remove_dir_all(dir);
}

/// The score's constants are what the calibration half of the face set measures, rounded so that its
/// bona fide photos are inside them; the evaluation half plays no part.
#[test]
fn the_engine_constants_come_from_the_calibration_half() {
    use verifik_conformance::emulator::pad::{CALIBRATION, cues, detect::FaceDetector};
    let detector = FaceDetector::new().expect("model loads");
    let (mut bona, mut attacks) = (Vec::new(), Vec::new());
    for f in faces::set().iter().filter(|f| f.set == Some(FixtureSet::Calibration)) {
        let img = image::load_from_memory(&f.bytes).expect("decodes");
        let Some(face) = detector.detect(&img).first().copied() else { continue };
        match f.class {
            c if c.is_bona_fide() => bona.push(cues::measure(&img, &face)),
            Class::Attack(species) if species.is_calibrated() => attacks.push(cues::measure(&img, &face)),
            _ => {}
        }
    }
    assert_eq!((bona.len(), attacks.len()), (32, 8));
    let max = |v: Vec<f64>| v.into_iter().fold(f64::MIN, f64::max);
    let min = |v: Vec<f64>| v.into_iter().fold(f64::MAX, f64::min);
    let k = CALIBRATION;
    // Shares and correlations are set to three decimals, the sharpness (a 0–255 scale) to two.
    let within = |constant: f64, measured: f64, name: &str| {
        let tolerance = if name.starts_with("sharpness") { 0.01 } else { 0.001 };
        assert!((constant - measured).abs() <= tolerance, "{name}: {constant} set, {measured} measured");
    };
    let p_max = max(bona.iter().map(|c| c.periodicity).collect());
    within(k.periodicity_bona_max, p_max, "periodicity_bona_max");
    within(k.periodicity_bona_min, min(bona.iter().map(|c| c.periodicity).collect()), "periodicity_bona_min");
    within(k.periodicity_attack_min, min(attacks.iter().map(|c| c.periodicity).collect()), "periodicity_attack_min");
    let s_min = min(bona.iter().map(|c| c.sharpness).collect());
    let c_min = min(bona.iter().map(|c| c.contrast).collect());
    let h_max = max(bona.iter().map(|c| c.highlights).collect());
    within(k.sharpness_min, s_min, "sharpness_min");
    within(k.contrast_min, c_min, "contrast_min");
    within(k.highlights_max, h_max, "highlights_max");
    assert!(k.sharpness_min <= s_min && k.contrast_min <= c_min && k.highlights_max >= h_max, "rounded outwards");
}

/// The face boxes annotated in the manifest (the border case is cut at them) agree with a reading
/// that owes nothing to the engine's detector: the horizontal centre of the photo's skin-tone pixels
/// (the YCbCr skin range of Chai and Ngan, 1999) lies inside the box's columns (the crop uses only its
/// left edge; a neck pulls the vertical centre down), and skin is far denser inside the box than out.
#[test]
fn annotated_face_boxes_agree_with_an_independent_reading() {
    let manifest = faces::manifest().expect("manifest parses");
    let annotated: Vec<_> = manifest.fixtures.iter().filter_map(|f| f.face.map(|b| (f, b))).collect();
    assert_eq!(annotated.len(), 7, "every bona fide photo is annotated");
    for (f, b) in annotated {
        let img =
            image::open(format!("{}/fixtures/{}", env!("CARGO_MANIFEST_DIR"), f.file)).expect("decodes").to_rgb8();
        // A photo without colour has no skin-tone reading: its box was checked by eye. Only a photo
        // whose every pixel is grey may take that way out.
        if img.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]) {
            assert_eq!(f.id, "camera", "only the cameraman is greyscale");
            continue;
        }
        let (mut n, mut sx, mut sy, mut inside) = (0.0, 0.0, 0.0, 0.0);
        for (x, y, p) in img.enumerate_pixels() {
            let [r, g, bl] = p.0.map(f64::from);
            let cb = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * bl;
            let cr = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * bl;
            if (77.0..=127.0).contains(&cb) && (133.0..=173.0).contains(&cr) {
                let (fx, fy) = (f64::from(x), f64::from(y));
                n += 1.0;
                sx += fx;
                sy += fy;
                if fx >= b.x && fx <= b.x + b.width && fy >= b.y && fy <= b.y + b.height {
                    inside += 1.0;
                }
            }
        }
        let (cx, cy) = (sx / n, sy / n);
        assert!(cx >= b.x && cx <= b.x + b.width, "{}: skin centre ({cx:.0}, {cy:.0}) beside {b:?}", f.id);
        let density_inside = inside / (b.width * b.height);
        let density_outside = (n - inside) / (f64::from(img.width() * img.height()) - b.width * b.height);
        assert!(
            density_inside > 2.0 * density_outside,
            "{}: skin density {density_inside:.2} inside, {density_outside:.2} outside",
            f.id
        );
    }
}
