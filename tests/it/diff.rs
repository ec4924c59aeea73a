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
    assert_eq!(same.behaviours(), all.len(), "every behaviour compared: {:?}", same.not_comparable);
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

/// Every artefact of a diff against a target that hands credentials and selfies back (the terminal, the
/// HTML page, NDJSON, JUnit and the kept answers) holds none of them: both answers of every divergence
/// pass the redactor.
#[test]
fn a_diff_against_an_echoing_target_writes_no_secret() {
    let client = "vkc_diffscan0123456789abcdef0123";
    let echoes = ["echo-token-in-error", "echo-token-in-record", "echo-token-in-read-back", "image-in-success"];
    let served = crate::cli::Served::start(client, &echoes);
    let dir = temp("diff-scan");
    std::fs::create_dir_all(&dir).expect("dir");
    let token_file = dir.join("client-token");
    std::fs::write(&token_file, format!("{client}\n")).expect("token file");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let side = format!("--emulator-profile --client-token-file {}", token_file.display());
    let o = bin()
        .args(["diff", "--left", "emulator", "--right", &served.url, "--right-args", &side])
        .args(["--runs", "1", "--seed", "7", "--cases", "2", "--html", &path("html"), "--ndjson", &path("d.ndjson")])
        .args(["--junit", &path("d.xml"), "--keep", &path("kept")])
        .output()
        .expect("runs");
    drop(served);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let (out, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(out.contains("[shape]") && out.contains("[message]"), "the echoes diverge: {out}");
    let mut artefacts: Vec<(String, String)> =
        crate::cli::files(&dir).into_iter().filter(|(n, _)| !n.contains("client-token")).collect();
    assert!(artefacts.iter().any(|(n, _)| n.contains("kept")), "the kept answers are scanned");
    artefacts.push(("stdout".into(), out));
    artefacts.push(("stderr".into(), err));
    let fixtures = verifik_conformance::suite::fixtures::Fixtures::load();
    let images =
        fixtures.faces().iter().map(|i| i.data_uri().split_once(',').map_or("", |(_, d)| d).to_owned()).collect();
    let secrets = crate::cli::Secrets { literals: vec![client.to_owned()], images };
    let hits: Vec<String> = artefacts.iter().flat_map(|(name, t)| secrets.scan(name, t)).collect();
    assert_eq!(hits, Vec::<String>::new(), "secrets in the diff's artefacts");
    let _ = std::fs::remove_dir_all(dir);
}
