//! The binary as users run it: exit codes (0 conformant, 1 a deviation, 2 a usage error), `--list`,
//! `--dry-run`, an empty selection, and reports that never contain a token or image data.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"));
    c.env_remove("VERIFIK_BASE_URL").env_remove("VERIFIK_CLIENT_TOKEN").env("RUST_LOG", "warn");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verifik-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--base-url", "not a url"][..],
        &["--base-url", "ftp://x"],
        &["--rate", "0"],
        &["--cases", "0"],
        &["--junit", "/nonexistent-dir/x.xml"],
        &["--deviate", "nope"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
    let o = run(&["run", "--base-url", "http://127.0.0.1:1", "--deviate", "ignore-force"]);
    assert_eq!(o.status.code(), Some(2), "deviations need the embedded emulator");
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
    assert!(out.contains("requests, of which") && out.contains("may charge a credit"), "{out}");
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

#[test]
fn a_deviation_exits_1_and_reports_carry_no_secret() {
    let dir = temp("reports");
    let (junit, ndjson, html) = (dir.join("junit.xml"), dir.join("events.ndjson"), dir.join("html"));
    let o = run(&[
        "--deviate",
        "lenient-base64",
        "--deviate",
        "ignore-token-expiry",
        "--deviate",
        "person-already-set-400",
        "--seed",
        "7",
        "--cases",
        "8",
        "--junit",
        junit.to_str().expect("utf-8"),
        "--ndjson",
        ndjson.to_str().expect("utf-8"),
        "--html",
        html.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let junit = std::fs::read_to_string(junit).expect("junit written");
    let ndjson = std::fs::read_to_string(ndjson).expect("ndjson written");
    let html = std::fs::read_to_string(html.join("index.html")).expect("html written");
    assert!(junit.contains("<testsuites") && junit.contains("INPUT-DATA-URI-URL-SAFE") && junit.contains("<failure"));
    assert!(
        ndjson.lines().count() > 100 && ndjson.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(ndjson.contains("\"verdict\":\"fail\"") && ndjson.contains("\"seed\":"));
    assert!(html.contains("Failures and warnings") && html.contains("AUTH-EXPIRED-1S"));
    let face = include_bytes!("../fixtures/faces/grace_hopper.jpg");
    let face_b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &face[..300]);
    let jwt = regex_free_jwt_finder;
    assert!(
        jwt("x eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjEyMzQ1Njc4OTB9.c2lnbmF0dXJlc2lnbmF0dXJl y"),
        "the finder finds a real token"
    );
    for (name, report) in [("junit", &junit), ("ndjson", &ndjson), ("html", &html), ("stdout", &text(&o))] {
        assert!(!report.contains(&face_b64[40..120]), "{name} contains image data");
        assert!(!report.contains("/9j/4AAQ") && !report.contains("iVBORw0KGgo"), "{name} contains image data");
        assert!(!jwt(report), "{name} contains a token");
        assert!(!report.contains("vkc_"), "{name} contains a client token");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Whether the text holds a compact JWS: `eyJ` + two more dot-separated base64url segments of
/// some length (a redacted token keeps no signature).
fn regex_free_jwt_finder(text: &str) -> bool {
    text.match_indices("eyJ").any(|(i, _)| {
        let rest = &text[i..];
        let segment = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').count();
        let a = segment(rest);
        rest[a..].starts_with('.') && {
            let b = segment(&rest[a + 1..]);
            b > 10 && rest[a + 1 + b..].starts_with('.') && segment(&rest[a + 2 + b..]) > 10
        }
    })
}

#[test]
fn a_request_budget_skips_what_is_left_with_the_reason() {
    let o = run(&["--max-requests", "40", "--cases", "4", "--test-threads", "1"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("the request budget of 40 requests is used up"), "{out}");
    assert!(out.contains("ignored,") || out.contains("ignored;"), "{out}");
}
