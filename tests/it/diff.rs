//! `diff` held to finding nothing where nothing differs: the embedded emulator against itself (the race
//! included), and a target behind a slow proxy that spells every answer differently against the same
//! target reached directly. (What it must find, per deviation, is held in `deviations`.)

use verifik_conformance::diff::{self, SideAnswers};
use verifik_conformance::suite::{RunSettings, catalogue, runner};

use crate::cli::{bin, temp, text};

const SEED: u64 = 20_261_204;
const CASES: u32 = 8;

/// `runs` runs of the embedded emulator with `deviations`, every answer kept.
fn side(deviations: &[verifik_conformance::deviation::Deviation], runs: usize) -> SideAnswers {
    let runs = (0..runs)
        .map(|_| {
            let spec = verifik_conformance::embedded::spec_elsewhere(deviations.to_vec(), Default::default());
            let settings = RunSettings { keep_answers: true, ..RunSettings::new(SEED, CASES) };
            let result = runner::run_quietly(spec, settings, &|_| true, 2);
            diff::side_run(result.sequences.expect("answers kept"), &result.records)
        })
        .collect();
    SideAnswers { runs }
}

#[test]
fn the_emulator_agrees_with_itself_race_included() {
    let left = side(&[], 2);
    let same = diff::compare(&left, &side(&[], 2));
    let all = catalogue::all();
    assert_eq!(same.divergences.len(), 0, "{}", diff::report::verdict(&same));
    assert_eq!(same.behaviours, all.len(), "every behaviour compared: {:?}", same.not_comparable);
    assert!(same.compared.iter().any(|b| b == "STATE-RACE-ONE-200"), "the race is compared");
    assert!(same.agrees());
}

/// Through the command line and real sockets: the emulator reached directly against the same emulator
/// behind a slow proxy that spells every answer differently (and delays each by another amount, so
/// racing answers come back in another order): the sides agree. Behind a proxy that rewords the 401,
/// they diverge there and nowhere else, also against the answers the first diff kept. And the reports.
#[test]
#[expect(clippy::print_stdout, reason = "the comparison's summary is the test's report")]
fn a_slow_reformatting_proxy_agrees_with_the_direct_target_and_a_reworded_one_does_not() {
    let (_rt, emu, reformat, reword) = crate::proxy::proxies();
    let direct = emu.base_url();
    let dir = temp("diff");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    // 4 cases in CI; `VERIFIK_DIFF_CASES=32` for the default run's cases.
    let cases = std::env::var("VERIFIK_DIFF_CASES").unwrap_or_else(|_| "4".to_owned());
    let diff = |args: &[&str]| {
        let o = bin().arg("diff").args(args).args(["--seed", "11", "--cases", &cases]).output().expect("runs");
        (o.status.code(), text(&o))
    };
    let profile = ["--left-args", "--emulator-profile", "--right-args", "--emulator-profile"];
    let (html, ndjson, junit, keep) = (path("html"), path("diff.ndjson"), path("diff.xml"), path("kept"));
    let reports = ["--html", &html, "--ndjson", &ndjson, "--junit", &junit, "--keep", &keep];
    let (code, said) = diff(&[&["--left", &direct, "--right", &reformat], &profile[..], &reports[..]].concat());
    let summary: Vec<&str> = said
        .lines()
        .filter(|l| ["diff:", "      right", "seed", "noise", "result"].iter().any(|p| l.starts_with(p)))
        .collect();
    println!("direct against the slow reformatting proxy (exit {code:?}):\n{}", summary.join("\n"));
    assert_eq!(code, Some(0), "{said}");
    let all = catalogue::all().len();
    assert!(said.contains(&format!("result: the sides agree: 0 divergences in {all} behaviour(s)")), "{said}");
    let summary = std::fs::read_to_string(&ndjson).expect("ndjson");
    let last: serde_json::Value = serde_json::from_str(summary.lines().last().expect("a summary")).expect("JSON");
    assert_eq!((last["divergences"].as_u64(), last["agrees"].as_bool()), (Some(0), Some(true)), "{last}");
    assert!(std::fs::read_to_string(&junit).expect("junit").contains("STATE-RACE-ONE-200"));
    assert!(std::fs::read_to_string(dir.join("html/index.html")).expect("html").contains("the sides agree"));

    // The reworded 401: a message divergence where a behaviour meets it; against the kept answers too.
    let only = ["--only", "AUTH-MISSING-HEADER", "--only", "STATE-RACE-ONE-200"];
    let (code, said) = diff(&[&["--left", &direct, "--right", &reword], &profile[..], &only[..]].concat());
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("AUTH-MISSING-HEADER: 1 divergence(s): message 1"), "{said}");
    assert!(said.contains("message \"Authentication required\" -> \"Please sign in first\""), "{said}");
    assert!(said.contains("result: 1 divergence(s) in 1 of 2 behaviour(s) (message 1)"), "{said}");
    let (left1, left2) = (path("kept/left-1"), path("kept/left-2"));
    let recorded = ["--left", &left1, "--left", &left2, "--right", &reword, "--right-args", "--emulator-profile"];
    let (code, said) = diff(&[&recorded[..], &only[..]].concat());
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("left  = recorded answers") && said.contains("(2 run(s))"), "{said}");
    assert!(said.contains("result: 1 divergence(s) in 1 of 2 behaviour(s) (message 1)"), "{said}");

    // Usage errors: exit 2, with what is wrong.
    for (args, says) in [
        (vec!["--left", "emulator", "--right", "ftp://x"], "is neither `emulator`"),
        (vec!["--left", "emulator", "--right", "emulator", "--runs", "0"], "--runs must be at least 1"),
        (vec!["--left", "emulator", "--right", "emulator", "--right-args", "--deviate nonsense"], "--right-args"),
        (vec!["--left", &left1, "--right", "emulator", "--seed", "12"], "were made with --seed 11"),
    ] {
        let o = bin().arg("diff").args(&args).output().expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
    let _ = std::fs::remove_dir_all(dir);
}
