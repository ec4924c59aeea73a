//! The operator's loop against an emulator served on a socket: a failure's printed `curl`
//! reproduction, parsed and sent again, gives the same status and code; `replay` of the run's NDJSON
//! says STILL FAILING against the deviating emulator and FIXED against a conformant one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use verifik_conformance::deviation::Deviation;
use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator};

use crate::cli::{bin, temp, text};

/// The shell words of one line of a reproduction: single-quoted, double-quoted (with `$VAR` and
/// `${VAR}` expanded from `vars`) and bare words, as bash reads them.
fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let expand = |s: &str| {
        let mut out = s.to_owned();
        let mut names: Vec<&String> = vars.keys().collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for name in names {
            out = out.replace(&format!("${{{name}}}"), &vars[name]).replace(&format!("${name}"), &vars[name]);
        }
        out
    };
    let (mut out, mut word, mut chars) = (Vec::new(), None::<String>, line.chars());
    while let Some(c) = chars.next() {
        match c {
            ' ' => out.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    w.push(c);
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            '"' => {
                let mut quoted = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    quoted.push(c);
                }
                word.get_or_insert_with(String::new).push_str(&expand(&quoted));
            }
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    out.extend(word);
    out
}

/// Sends one `curl` command line with reqwest: its status and JSON body.
fn curl(rt: &tokio::runtime::Runtime, args: &[String]) -> (u16, serde_json::Value) {
    let (mut method, mut url, mut headers, mut body) = ("GET".to_owned(), String::new(), Vec::new(), None::<Vec<u8>>);
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-sS" | "-i" => {}
            "-o" => {
                it.next();
            }
            "-X" => method = it.next().expect("a method").clone(),
            "-H" => headers.push(it.next().expect("a header").clone()),
            "--data-binary" => {
                let data = it.next().expect("data");
                body = Some(match data.strip_prefix('@') {
                    Some(file) => std::fs::read(file).expect("the body file was written"),
                    None => data.clone().into_bytes(),
                });
            }
            u if u.starts_with("http") => url = u.to_owned(),
            other => panic!("a curl argument the reproduction should not use: {other}"),
        }
    }
    let client = verifik_conformance::target::tls::client_builder().build().expect("client");
    let mut req = client.request(method.parse().expect("method"), &url);
    for h in headers {
        let (name, value) = h.split_once(": ").expect("a header line");
        req = req.header(name, value);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    rt.block_on(async {
        let resp = req.send().await.expect("the request is answered");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    })
}

/// A jq path of the simple kind reproductions use (`.data.token`, `.[0]`, `.["a b"]`).
fn jq(v: &serde_json::Value, path: &str) -> String {
    let mut cur = v;
    for seg in path.trim_start_matches('.').split('.').filter(|s| !s.is_empty()) {
        cur = if let Some(i) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            match i.parse::<usize>() {
                Ok(n) => &cur[n],
                Err(_) => &cur[serde_json::from_str::<String>(i).expect("a quoted key").as_str()],
            }
        } else {
            &cur[seg]
        };
    }
    cur.as_str().expect("a string at the path").to_owned()
}

/// Runs the reproduction block as bash would, with reqwest: the last request's status and body.
fn reproduce(rt: &tokio::runtime::Runtime, block: &[&str], client_token: &str) -> (u16, serde_json::Value) {
    let mut vars = HashMap::from([("VERIFIK_CLIENT_TOKEN".to_owned(), client_token.to_owned())]);
    let mut responses: HashMap<String, serde_json::Value> = HashMap::new();
    let mut last = None;
    for line in block {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("B=\"${VERIFIK_BASE_URL:-") {
            vars.insert("B".into(), rest.trim_end_matches("}\"").to_owned());
        } else if let Some((var, command)) = line.split_once("=$(curl ") {
            let answer = curl(rt, &words(&format!("curl {}", command.trim_end_matches(')')), &vars));
            responses.insert(var.to_owned(), answer.1);
        } else if let Some((var, rest)) = line.split_once("=$(printf '%s' \"$") {
            let (response, path) = rest.split_once("\" | jq -r ").expect("a jq capture");
            let path = words(path.trim_end_matches(')'), &vars).remove(0);
            vars.insert(var.to_owned(), jq(&responses[response], &path));
        } else if line.starts_with("curl ") {
            last = Some(curl(rt, &words(line, &vars)));
        }
    }
    last.expect("the reproduction ends with the failing request")
}

fn serve(rt: &tokio::runtime::Runtime, deviations: Vec<Deviation>) -> RunningEmulator {
    let config = EmulatorConfig { provider_states: true, deviations, ..EmulatorConfig::default() };
    rt.block_on(RunningEmulator::start(config)).expect("emulator starts")
}

#[test]
fn a_printed_reproduction_and_replay_give_the_failure_again() {
    assert_eq!(
        words("curl 'it'\\''s' \"$B/x\"", &HashMap::from([("B".into(), "http://h".into())])),
        ["curl", "it's", "http://h/x"]
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let deviating = serve(&rt, vec![Deviation::PersonAlreadySet400]);
    let dir = temp("repro");
    let (repro_dir, ndjson) = (dir.join("bodies"), dir.join("run.ndjson"));
    let run = |base: &str, extra: &[&Path]| {
        let mut c = bin();
        c.args(["run", "--base-url", base, "--emulator-profile", "--seed", "11", "--repro-dir"]);
        c.args(extra).arg(&repro_dir).arg("--ndjson").arg(&ndjson).arg("BV-409-PERSON-ALREADY-SET");
        c.output().expect("the binary runs")
    };
    let out = run(&deviating.base_url(), &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    let start = lines.iter().position(|l| l.contains("reproduce by hand")).expect("a reproduction is printed");
    let block: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| l.trim_start().starts_with(['B', 'R', 'T', 'I', 'c']))
        .copied()
        .collect();
    assert!(block.iter().any(|l| l.contains("provider-states")) && block.len() >= 4, "{block:#?}");
    assert!(!said.contains(&deviating.seeded.client_token), "the client token is never printed");
    let (status, body) = reproduce(&rt, &block, &deviating.seeded.client_token);
    assert_eq!((status, body["code"].as_str()), (400, Some("person_already_set")), "{body}");
    let bodies = std::fs::read_dir(&repro_dir).expect("bodies written").count();
    assert!(bodies >= 1, "--repro-dir holds the failing request's body");
    let events = std::fs::read_to_string(&ndjson).expect("ndjson written");
    assert!(events.lines().any(|l| l.contains("\"verdict\":\"fail\"") && l.contains("\"reproduce\":")), "{events}");

    let replay = |target: &[&str]| {
        let o = bin().arg("replay").arg(&ndjson).args(target).output().expect("the binary runs");
        (o.status.code(), text(&o))
    };
    let (code, said) = replay(&["--base-url", &deviating.base_url()]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("STILL FAILING  BV-409-PERSON-ALREADY-SET"), "{said}");
    let conformant = serve(&rt, Vec::new());
    let (code, said) = replay(&["--base-url", &conformant.base_url()]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("FIXED          BV-409-PERSON-ALREADY-SET") && said.contains("1 fixed"), "{said}");
    let (code, said) = replay(&["--only", "NO-SUCH-BEHAVIOUR"]);
    assert_eq!(code, Some(2), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Observed answers recorded against the emulator; a later run against the emulator answering 403
/// where it answered 401 (its failures accepted by a baseline, as an operator's would be) lists the
/// changed answers as warnings and exits 0; under `--strict` the changes fail it.
#[test]
fn observed_answers_show_a_change_while_everything_is_known() {
    let dir = temp("observed");
    let (observed, baseline) = (dir.join("observed"), dir.join("baseline.json"));
    let run = |args: &[&str], extra: &[(&str, &Path)]| {
        let mut c = bin();
        c.arg("run").args(["--cases", "4"]).args(args);
        for (flag, path) in extra {
            c.arg(flag).arg(path);
        }
        let o = c.output().expect("the binary runs");
        (o.status.code(), text(&o))
    };
    let (code, said) = run(&["--seed", "3"], &[("--record-observed", &observed)]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("recorded the observed answers of 53 behaviour(s)"), "{said}");
    let (code, said) = run(&["--seed", "3", "--deviate", "unauthorized-403"], &[("--baseline-update", &baseline)]);
    assert_eq!(code, Some(1), "{said}");
    // No --seed: the run takes the one the observed answers were recorded with.
    let deviating = ["--deviate", "unauthorized-403"];
    let (code, said) = run(&deviating, &[("--observed", &observed), ("--baseline", &baseline)]);
    assert_eq!(code, Some(0), "{said}");
    let changes: Vec<&str> = said.lines().filter(|l| l.starts_with("changed since the observed answers")).collect();
    let missing = "AUTH-MISSING-HEADER: example: status 401 -> 403 (unlike all 1 recorded run(s))";
    assert!(changes.iter().any(|l| l.contains(missing)), "{changes:#?}");
    assert!(
        said.contains("observed answers: compared with 1 recorded run(s); no answer set varied between them"),
        "{said}"
    );
    assert!(changes.iter().all(|l| l.contains(": AUTH-")), "only the auth behaviours changed: {changes:#?}");
    assert!(!said.contains("note: the observed answers were recorded with"), "{said}");
    let (code, said) =
        run(&["--deviate", "unauthorized-403", "--strict"], &[("--observed", &observed), ("--baseline", &baseline)]);
    assert_eq!(code, Some(1), "{said}");
    // Against the same emulator nothing changed.
    let (code, said) = run(&[], &[("--observed", &observed)]);
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("changed since"), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Twelve liveness runs of the embedded emulator with seeded score noise (SD 0.01), the last two with
/// every score 0.05 lower, and twelve conformance runs of the auth behaviours, the last against the
/// emulator answering 403 for 401: `history` flags exactly the last two liveness runs (their class means
/// leave the prediction bands; the latest alarms by its level test) and the newly failing behaviours,
/// and exits 1; without the last runs it exits 0.
#[test]
fn history_flags_a_shifted_model_and_a_newly_failing_behaviour() {
    use verifik_conformance::api::Os;
    use verifik_conformance::emulator::noise::ScoreNoise;
    use verifik_conformance::faces::{self, Class, Species};
    use verifik_conformance::suite::{Ctx, RunSettings};
    let dir = temp("history");
    let set: Vec<faces::Fixture> = faces::set()
        .iter()
        .filter(|f| f.class.is_bona_fide() || f.class == Class::Attack(Species::Print))
        .cloned()
        .collect();
    let mut runs = Vec::new();
    for i in 0..12u64 {
        let shift = if i >= 10 { -0.05 } else { 0.0 };
        let spec = verifik_conformance::embedded::spec(
            Vec::new(),
            ScoreNoise { sd: 0.01, shift, seed: i, ..ScoreNoise::default() },
        );
        let ctx = Ctx::new(&spec, &RunSettings::new(i, 1)).expect("emulator starts");
        let run = verifik_conformance::liveness::record::record(&ctx, &set, &[Os::Desktop], 1, "embedded".into());
        let out = dir.join(format!("liveness-{i:02}"));
        verifik_conformance::liveness::html::write(&out, &run).expect("run written");
        runs.push(out);
    }
    for i in 0..12 {
        let ndjson = dir.join(format!("conformance-{i:02}.ndjson"));
        let mut c = bin();
        c.args(["run", "--seed", "5", "--cases", "2", "--ndjson"]).arg(&ndjson).arg("AUTH-");
        if i == 11 {
            c.args(["--deviate", "unauthorized-403"]);
        }
        let o = c.output().expect("the binary runs");
        assert_eq!(o.status.code(), Some(if i == 11 { 1 } else { 0 }), "{}", text(&o));
        runs.push(ndjson);
    }
    let history = |runs: &[PathBuf]| {
        let o = bin().args(["history", "--out"]).arg(dir.join("page")).args(runs).output().expect("the binary runs");
        (o.status.code(), text(&o))
    };
    let (code, said) = history(&runs);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("alarm: AUTH-MISSING-HEADER fails in the latest run and passed in the one before"), "{said}");
    assert!(
        said.contains("alarm: bona_fide: the latest mean moved") && said.contains("(level, Student-t prediction, p = "),
        "{said}"
    );
    assert!(said.contains("an alarm on this page at most 3 % of the time"), "{said}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("page/history.json")).expect("summary written")).expect("JSON");
    // The bands are prediction intervals of the first five runs' class means (before: mean ± 3 SD of
    // their medians); the bona fide classes and, now, print attacks leave them at runs 11 and 12 only.
    for class in ["bona_fide", "reencoded", "variation", "attack/print"] {
        assert_eq!(summary["classes"][class]["out_of_band"], serde_json::json!([10, 11]), "{class}: {said}");
    }
    let flips = summary["flips"].as_array().expect("flips");
    assert!(!flips.is_empty() && flips.iter().all(|f| f["run"] == 11 && f["to"] == "fail"), "{flips:#?}");
    let page = std::fs::read_to_string(dir.join("page/index.html")).expect("page written");
    assert!(
        page.contains("<svg")
            && page.contains("mean liveness score (0 to 1)")
            && page.contains("What an alarm means:")
            && page.contains("run (ordered by start time)")
    );
    // Without the last liveness run and the last conformance run, nothing alarms.
    let earlier: Vec<PathBuf> =
        runs.iter().filter(|p| !p.ends_with("liveness-11") && !p.ends_with("conformance-11.ndjson")).cloned().collect();
    let (code, said) = history(&earlier);
    assert_eq!(code, Some(1), "run 11 of the liveness runs is already shifted: {said}");
    let calm: Vec<PathBuf> =
        runs.iter().filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().contains("-1"))).cloned().collect();
    let (code, said) = history(&calm);
    assert_eq!(code, Some(0), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

/// An emulator that enforces the vendor's kind of window (here 3 validation requests per project per
/// second, answered 429 with `Retry-After`): the suite waits as told and every behaviour still passes.
#[test]
fn a_validation_window_is_waited_out() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let config = EmulatorConfig {
        provider_states: true,
        validation_limit: Some((3, std::time::Duration::from_secs(1))),
        ..EmulatorConfig::default()
    };
    let emu = rt.block_on(RunningEmulator::start(config)).expect("emulator starts");
    let o = bin()
        .args(["run", "--base-url", &emu.base_url(), "--emulator-profile", "--seed", "1", "--cases", "6"])
        .arg("INPUT-OS-INVALID")
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let refused = emu.state.window.lock().expect("window").refused;
    assert!(refused > 0, "the window was reached and waited out: {refused} refusals");
}

/// A budget is spent on the behaviours the run selected: one inferred behaviour that fits is run, not
/// left out for documented ones the filter excluded.
#[test]
fn a_budget_goes_to_the_selected_behaviours() {
    let o = bin()
        .args(["run", "--seed", "1", "--budget-validations", "3", "--exact", "[inferred] auth::AUTH-MISSING-HEADER"])
        .output()
        .expect("the binary runs");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("1 passed") && !out.contains("left out of the plan"), "{out}");
}

/// A known deviation inside a behaviour that also fails for another reason still occurs: it is counted
/// as accepted, not listed as fixed, and an expectations update keeps it. (Before, a failing trial
/// carried only its new findings: "0 finding(s) accepted" and "fixed, prune it" for both, and an update
/// removed them.)
#[test]
fn a_known_deviation_in_a_failing_behaviour_is_still_known() {
    let dir = crate::cli::temp("known-in-failing");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("expectations.json").to_string_lossy().into_owned();
    let run = |deviations: &[&str], extra: &[&str]| {
        let o = crate::cli::bin()
            .args(["--seed", "3", "--cases", "2", "--exact", "documented::BV-200-OS-EACH"])
            .args(deviations.iter().flat_map(|d| ["--deviate", d]))
            .args(extra)
            .output()
            .expect("runs");
        (o.status.code(), crate::cli::text(&o))
    };
    let update = ["--expectations", file.as_str(), "--update-expectations"];
    // The missing field is accepted: its findings become known deviations.
    let (_, said) = run(&["omit-assigned-collection"], &update);
    assert!(said.contains("added: known deviation BV-200-OS-EACH schema"), "{said}");
    // Now the behaviour also crashes on ANDROID: it fails for that, and the missing field is still known.
    let (code, said) = run(&["omit-assigned-collection", "crash-on-android"], &update);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("finding(s) accepted as known deviations") && !said.contains("0 finding(s) accepted"),
        "{said}"
    );
    assert!(!said.contains("fixed, prune it") && !said.contains("removed: known deviation"), "{said}");
    let kept = std::fs::read_to_string(&file).expect("file");
    assert!(kept.contains("\"check\": \"schema\""), "{kept}");
    let _ = std::fs::remove_dir_all(dir);
}
