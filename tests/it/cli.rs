//! The binary as users run it: exit codes (0 conformant, 1 a deviation, 2 a usage error), `--list`,
//! `--dry-run`, an empty selection, and reports that never contain a token or image data.

use std::path::PathBuf;
use std::process::{Command, Output};

pub(crate) fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"));
    c.env_remove("VERIFIK_BASE_URL").env_remove("VERIFIK_CLIENT_TOKEN").env("RUST_LOG", "warn");
    c
}

pub(crate) fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

pub(crate) fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verifik-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn format_json_keeps_stdout_pure() {
    let o = run(&["--format", "json", "--cases", "2", "--seed", "5", "auth::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.lines().count() > 10);
    for line in stdout.lines() {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "not JSON on stdout: {line}");
    }
    assert!(String::from_utf8_lossy(&o.stderr).contains("replay with --seed 5"), "the seed line is on stderr");
}

#[test]
fn list_shows_every_behaviour_with_its_statement_and_strictness() {
    let o = run(&["--list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    for id in [
        "BV-200-OS-EACH",
        "BV-409-PERSON-ALREADY-SET",
        "BV-409-LIVENESS-FAILED",
        "BV-404-STATUS-EXPIRED",
        "BV-409-COLLECTION-NOT-SET",
        "AUTH-EXPIRED-1S",
        "AUTH-ALG-NONE",
        "INPUT-DATA-URI-PADDING",
        "STATE-RACE-ONE-200",
    ] {
        assert!(out.contains(id), "{id} missing from --list");
    }
    assert!(out.contains("[documented, Example") && out.contains("[inferred, Property") && out.contains("source: "));
    let terse = run(&["--list", "--format", "terse"]);
    let lines = String::from_utf8_lossy(&terse.stdout).lines().filter(|l| l.ends_with(": test")).count();
    assert!(lines >= 50, "nextest reads `name: test` lines: {lines}");
}

#[test]
fn dry_run_prints_the_plan_and_sends_nothing() {
    let o = run(&["run", "--base-url", "http://127.0.0.1:9", "--dry-run", "--cases", "10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    // On loopback no budget applies: every behaviour is in the plan.
    assert!(out.contains("53 behaviours, about") && out.contains("charged requests at most"), "{out}");
    assert!(!out.contains("skipped ") && !out.contains("budget:"), "{out}");
}

#[test]
fn an_empty_selection_fails() {
    let o = run(&["no-such-behaviour"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("no behaviour ran"));
}

#[test]
fn an_unreachable_target_fails_per_behaviour_without_hanging() {
    let o = run(&["run", "--base-url", "http://127.0.0.1:9", "--timeout", "2", "documented::BV-200-OS-EACH"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// An emulator in its own process with `deviations`, on a free loopback port; killed on drop.
pub(crate) struct Served {
    child: std::process::Child,
    pub(crate) url: String,
}

impl Served {
    pub(crate) fn start(client_token: &str, deviations: &[&str]) -> Served {
        use std::io::BufRead as _;
        let mut args = vec!["emulate", "--listen", "127.0.0.1:0", "--provider-states", "--client-token", client_token];
        for d in deviations {
            args.extend(["--deviate", d]);
        }
        let mut child = bin()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        std::io::BufReader::new(stdout).read_line(&mut first).expect("the emulator says where it listens");
        let url = first.trim().rsplit(' ').next().unwrap_or_default().to_owned();
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What must never appear in an artefact of a run.
pub(crate) struct Secrets {
    pub(crate) literals: Vec<String>,
    /// Base64 of every image the suite submits; a run of 64 of its characters is a hit.
    pub(crate) images: Vec<String>,
}

impl Secrets {
    /// Every hit in one artefact: a literal secret, any compact JWS (every registration token the
    /// target issued is one), a provider-state client token (`vkc_` and 24 hex digits), image base64.
    pub(crate) fn scan(&self, name: &str, text: &str) -> Vec<String> {
        let mut hits = Vec::new();
        for literal in &self.literals {
            hits.extend(text.match_indices(literal.as_str()).map(|_| format!("{name}: the client token")));
        }
        hits.extend(jwts(text).into_iter().map(|at| format!("{name}: a token at byte {at}")));
        for (at, _) in text.match_indices("vkc_") {
            let tail = &text[at + 4..];
            if tail.len() >= 24 && tail[..24].bytes().all(|b| b.is_ascii_hexdigit()) {
                hits.push(format!("{name}: a client token at byte {at}"));
            }
        }
        for (i, image) in self.images.iter().enumerate() {
            if verifik_conformance::target::shared_run::shares_run(text, image, 64) {
                hits.push(format!("{name}: base64 of submitted image {i}"));
            }
        }
        hits
    }
}

/// Every file under `dir`, recursively, with its path.
pub(crate) fn files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let bytes = std::fs::read(&path).expect("readable file");
            out.push((path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

#[test]
#[expect(clippy::print_stdout, reason = "what was scanned and found is the test's report")]
fn one_scan_for_secrets_over_every_artefact_finds_none() {
    let dir = temp("reports");
    let client = "vkc_scan0123456789abcdef01234567";
    // A target that hands credentials back in every place it can (an error message, a schema-open
    // record of a success, a header of a 404, a read-back answer, a set-up answer) and selfies in
    // successes: the reports must still hold none of them.
    let echoes = [
        "echo-token-in-error",
        "echo-token-in-record",
        "echo-token-in-header",
        "echo-token-in-read-back",
        "echo-token-in-set-up",
    ];
    let served = Served::start(client, &[&echoes[..], &["image-in-success", "ignore-token-expiry"]].concat());
    let (junit, ndjson, html) = (dir.join("junit.xml"), dir.join("events.ndjson"), dir.join("html"));
    let (token_file, repro) = (dir.join("client-token"), dir.join("repro"));
    std::fs::write(&token_file, format!("# the scan's client token\n{client}\n")).expect("token file");
    std::fs::create_dir_all(&repro).expect("repro dir");
    let o = bin()
        .args(["run", "--base-url", &served.url, "--emulator-profile", "--seed", "7", "--cases", "4"])
        .args(["--junit", junit.to_str().expect("utf-8"), "--ndjson", ndjson.to_str().expect("utf-8")])
        .args(["--html", html.to_str().expect("utf-8"), "--har", dir.join("run.har").to_str().expect("utf-8")])
        .args(["--client-token-file", token_file.to_str().expect("utf-8")])
        .args(["--repro-dir", repro.to_str().expect("utf-8")])
        .output()
        .expect("the suite runs");
    drop(served);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let junit_text = std::fs::read_to_string(&junit).expect("junit written");
    let ndjson_text = std::fs::read_to_string(&ndjson).expect("ndjson written");
    let html_text = std::fs::read_to_string(html.join("index.html")).expect("html written");
    assert!(junit_text.contains("<testsuites") && junit_text.contains("privacy") && junit_text.contains("<failure"));
    assert!(ndjson_text.lines().count() > 100);
    assert!(ndjson_text.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(ndjson_text.contains("\"verdict\":\"fail\"") && html_text.contains("AUTH-EXPIRED-1S"));
    // The HAR of the whole run is HAR 1.2, one entry per request sent, images named by fixture id.
    let har: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.har")).expect("har written")).expect("har is JSON");
    let schema = serde_json::from_str(include_str!("../data/har-1.2.schema.json")).expect("schema is JSON");
    let invalid: Vec<String> =
        jsonschema::validator_for(&schema).expect("schema compiles").iter_errors(&har).map(|e| e.to_string()).collect();
    assert_eq!(invalid, Vec::<String>::new());
    let entries = har["log"]["entries"].as_array().expect("entries");
    let sent = String::from_utf8_lossy(&o.stderr)
        .split("; ")
        .find_map(|part| part.strip_suffix(" requests").and_then(|n| n.parse::<usize>().ok()));
    assert_eq!(Some(entries.len()), sent, "one entry per request sent");
    assert!(har.to_string().contains("fixture:grace_hopper/original.jpg sha256:"));

    let fixtures = verifik_conformance::suite::fixtures::Fixtures::load();
    let mut images: Vec<String> = fixtures.faces().iter().map(|i| i.data_uri().to_owned()).collect();
    images.push(fixtures.flat_png.data_uri().to_owned());
    let images = images.iter().map(|u| u.split_once(',').map_or(u.as_str(), |(_, d)| d).to_owned()).collect();
    let secrets = Secrets { literals: vec![client.to_owned()], images };
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    // Each echo was found, and only the privacy check says so.
    assert!(
        out.contains("privacy: the response carries back the request's bearer token at header x-debug-authorization"),
        "{out}"
    );
    assert!(out.contains("at /data/person/verifiedWith") && out.contains("at /data/lastReadBy"), "{out}");
    let mut artefacts: Vec<(String, String)> =
        files(&dir).into_iter().filter(|(name, _)| !name.contains("client-token")).collect();
    artefacts.push(("stdout".into(), out));
    artefacts.push(("stderr".into(), err));
    let kinds = ["junit.xml", "events.ndjson", "index.html", "run.har", "repro", "stdout", "stderr"];
    for kind in kinds {
        assert!(artefacts.iter().any(|(name, _)| name.contains(kind)), "no {kind} artefact");
    }
    // The reproduction's body files hold the submitted images by design (`--repro-dir` is the one
    // place face bytes are written): they are scanned for credentials only.
    let scan = |name: &str, text: &str| match name.contains("repro") {
        true => Secrets { literals: secrets.literals.clone(), images: Vec::new() }.scan(name, text),
        false => secrets.scan(name, text),
    };
    let hits: Vec<String> = artefacts.iter().flat_map(|(name, text)| scan(name, text)).collect();
    assert_eq!(hits, Vec::<String>::new(), "secrets in the run's artefacts");
    println!(
        "scanned {} artefacts ({} bytes) of a run of {} deviations: {} secrets found",
        artefacts.len(),
        artefacts.iter().map(|(_, t)| t.len()).sum::<usize>(),
        echoes.len() + 2,
        hits.len()
    );

    // The scan is shown to work on every kind: one token planted into each is one hit there.
    let planted_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEyMzQ1Njc4OTB9.c2lnbmF0dXJlc2lnbmF0dXJl";
    for kind in kinds {
        let (name, text) = artefacts.iter().find(|(name, _)| name.contains(kind)).expect("an artefact of the kind");
        let mut mid = text.len() / 2;
        while !text.is_char_boundary(mid) {
            mid -= 1;
        }
        let planted = format!("{}\n{planted_token}\n{}", &text[..mid], &text[mid..]);
        assert_eq!(scan(name, &planted).len(), 1, "{kind}: the planted token");
        println!("planted into {kind} ({name}): 1 found");
    }
    assert_eq!(secrets.scan("planted", &format!("{ndjson_text}{client}")).len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

/// Where the text holds a compact JWS: `eyJ` and two more dot-separated base64url segments of some
/// length (a redacted token keeps no signature).
fn jwts(text: &str) -> Vec<usize> {
    text.match_indices("eyJ")
        .filter(|(i, _)| {
            let rest = &text[*i..];
            let segment =
                |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').count();
            let a = segment(rest);
            rest[a..].starts_with('.') && {
                let b = segment(&rest[a + 1..]);
                b > 10 && rest[a + 1 + b..].starts_with('.') && segment(&rest[a + 2 + b..]) > 10
            }
        })
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn baselines_of_known_deviations() {
    let dir = temp("baseline");
    let file = |name: &str| dir.join(name).to_str().expect("utf-8").to_owned();
    let two = ["--deviate", "unprefixed-collection-message", "--deviate", "client-token-401"];
    let suite = |deviations: &[&str], extra: &[&str]| {
        bin().args(deviations).args(["--seed", "3", "--cases", "2"]).args(extra).output().expect("the binary runs")
    };
    // The run's findings, written as a baseline: one entry per failing check.
    let o = suite(&two, &["--baseline-update", &file("all.json")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file("all.json")).expect("written")).expect("json");
    let entries = all["known"].as_array().expect("entries").clone();
    let mut behaviours: Vec<&str> = entries.iter().filter_map(|e| e["behaviour"].as_str()).collect();
    behaviours.dedup();
    assert_eq!(behaviours, ["AUTH-CLIENT-TOKEN", "BV-409-COLLECTION-NOT-SET"], "{all}");
    assert!(entries.iter().all(|e| e["signature"]["status"].is_u64() && e["reason"].is_string()), "{all}");
    assert_eq!(all["format_version"], 1);
    let write = |name: &str, known: Vec<serde_json::Value>| {
        let b = serde_json::json!({"format_version": 1, "known": known});
        std::fs::write(file(name), b.to_string()).expect("write");
        file(name)
    };
    let only = |behaviour: &str| entries.iter().filter(|e| e["behaviour"] == behaviour).cloned().collect::<Vec<_>>();

    // Listing one: exit 1, and only the other fails.
    let o = suite(&two, &["--baseline", &write("one.json", only("BV-409-COLLECTION-NOT-SET"))]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("auth::AUTH-CLIENT-TOKEN") && out.contains("1 failed"), "{out}");
    assert!(!out.contains("---- documented::BV-409-COLLECTION-NOT-SET"), "{out}");
    // Listing both: exit 0 with both known, and the reports say so.
    let reports = ["--junit", &file("junit.xml"), "--ndjson", &file("events.ndjson"), "--html", &file("html")];
    let o = suite(&two, &[&["--baseline", &file("all.json")][..], &reports[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let junit = std::fs::read_to_string(file("junit.xml")).expect("junit");
    assert_eq!(junit.matches("known deviation:").count(), 2, "{junit}");
    let ndjson = std::fs::read_to_string(file("events.ndjson")).expect("ndjson");
    let header: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap_or_default()).expect("json");
    assert_eq!(
        (header["record"].as_str(), header["format_version"].as_u64(), header["seed"].as_u64()),
        (Some("header"), Some(1), Some(3))
    );
    assert!(header["started_at"].is_string() && header["profile"] == "emulator" && header["suite"].is_string());
    assert!(ndjson.contains("\"verdict\":\"known\"") && !ndjson.contains("\"verdict\":\"fail\""));
    let html = std::fs::read_to_string(dir.join("html/index.html")).expect("html");
    assert!(html.contains("known deviation"));
    let accepted = format!("{} finding(s) accepted as known deviations", entries.len());
    assert!(text(&o).contains(&accepted), "{}", text(&o));
    // An expired entry fails the run.
    let mut expired = entries.clone();
    let last = expired.len() - 1;
    expired[last]["expires"] = "2000-01-01".into();
    let o = suite(&two, &["--baseline", &write("expired.json", expired)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("a known deviation has expired (2000-01-01)"), "{}", text(&o));
    // A deviation removed: its entry is fixed and asks to be pruned (a failure under --baseline-strict).
    let o = suite(&two[2..], &["--baseline", &file("all.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("fixed, prune it: BV-409-COLLECTION-NOT-SET"), "{}", text(&o));
    let o = suite(&two[2..], &["--baseline", &file("all.json"), "--baseline-strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A file that is not a baseline is a usage error.
    std::fs::write(file("bad.json"), "known: everything").expect("write");
    assert_eq!(suite(&two, &["--baseline", &file("bad.json")]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_request_budget_skips_what_is_left_with_the_reason() {
    let o = run(&["--max-requests", "40", "--cases", "4", "--test-threads", "1"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("the request budget of 40 requests is used up"), "{out}");
    assert!(out.contains("ignored,") || out.contains("ignored;"), "{out}");
}

/// `--dry-run --budget-credits 20` against a target off this machine: documented behaviours that
/// charge are in, the charged requests listed add up to the total and stay within 20, and the
/// validation requests within the vendor's 100 per hour.
#[test]
fn a_credit_budget_plans_documented_charging_behaviours_first() {
    let o =
        run(&["run", "--base-url", "https://api.example.test", "--dry-run", "--budget-credits", "20", "--cases", "8"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .filter(|l| l.contains("::"))
        .map(|l| l.split_whitespace().collect())
        .filter(|w: &Vec<&str>| w.len() >= 6 && !w[0].starts_with("skipped"))
        .collect();
    let column = |i: usize| rows.iter().map(|w| w[i].parse::<u64>().expect("a count")).sum::<u64>();
    let (validations, charging) = (column(3), column(4));
    assert!(rows.iter().any(|w| w[1] == "documented" && w[4] != "0"), "{out}");
    assert!(charging <= 20 && validations <= 100, "{out}");
    let total = format!("{validations} validation requests, {charging} charged requests at most");
    assert!(out.contains(&total), "the total is the sum of the rows: {total}\n{out}");
    assert!(out.contains("skipped ") && out.contains("do not fit the --budget-credits 20"), "{out}");
}
