//! Change, not noise, over a real socket: the emulator behind a proxy of our own that is slower and
//! spells the same answers differently (keys in reverse order, pretty-printed, a `charset` parameter,
//! an extra header, a delay that varies by request so that racing answers arrive in another order).
//! Answer sets recorded through it twice, then reruns with `--strict`: no false alarm, the race
//! included; snapshots pass under `--emulator-profile`. A proxy that rewords the 401 message is a change:
//! a warning, a failure under `--strict`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator};

use crate::cli::{bin, temp, text};

/// How the proxy changes what passes through it.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The same answers, spelled differently and more slowly.
    Reformat,
    /// As `Reformat`, and the 401 message reworded.
    Reword,
}

struct Proxy {
    upstream: String,
    mode: Mode,
    client: reqwest::Client,
    seen: AtomicU64,
}

fn reversed(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().rev().map(|(k, v)| (k, reversed(v))).collect()),
        Value::Array(a) => Value::Array(a.into_iter().map(reversed).collect()),
        other => other,
    }
}

async fn forward(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let url = format!("{}{}", p.upstream, parts.uri.path_and_query().map_or("/", |q| q.as_str()));
    let mut out = p.client.request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            out = out.header(name, value);
        }
    }
    let Ok(answer) = out.send().await else { return StatusCode::BAD_GATEWAY.into_response() };
    let status = answer.status();
    let json =
        answer.headers().get(header::CONTENT_TYPE).is_some_and(|c| c.as_bytes().starts_with(b"application/json"));
    let kept: Vec<(header::HeaderName, HeaderValue)> = answer
        .headers()
        .iter()
        .filter(|(n, _)| ![header::CONTENT_LENGTH, header::CONTENT_TYPE, header::TRANSFER_ENCODING].contains(n))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let bytes = answer.bytes().await.unwrap_or_default();
    // Slower, by an amount that differs from request to request: racing answers come back in
    // another order than the emulator gave them.
    let n = p.seen.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_millis(2 + (n * 7919) % 23)).await;
    let mut body = bytes.to_vec();
    if json && let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        body = serde_json::to_vec_pretty(&reversed(v)).unwrap_or(body);
    }
    if p.mode == Mode::Reword {
        let text = String::from_utf8_lossy(&body).replace("Authentication required", "Please sign in first");
        body = text.into_bytes();
    }
    let mut response = (status, Bytes::from(body)).into_response();
    for (n, v) in kept {
        response.headers_mut().insert(n, v);
    }
    if json {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
    response.headers_mut().insert("x-proxied-by", HeaderValue::from_static("verifik-test-proxy"));
    response
}

/// A proxy in front of `upstream`, bound to port 0; its base URL.
async fn proxy(upstream: String, mode: Mode) -> String {
    let state = Arc::new(Proxy {
        upstream,
        mode,
        client: verifik_conformance::target::tls::client_builder().build().expect("client"),
        seen: AtomicU64::new(0),
    });
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// The emulator (provider states) behind a reformatting and a rewording proxy; the runtime and the
/// emulator live as long as the returned values.
pub(crate) fn proxies() -> (tokio::runtime::Runtime, RunningEmulator, String, String) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let config = EmulatorConfig { provider_states: true, ..EmulatorConfig::default() };
    let emu = rt.block_on(RunningEmulator::start(config)).expect("emulator starts");
    let reformat = rt.block_on(proxy(emu.base_url(), Mode::Reformat));
    let reword = rt.block_on(proxy(emu.base_url(), Mode::Reword));
    (rt, emu, reformat, reword)
}

#[test]
fn a_reformatting_slower_proxy_is_no_change_and_a_reworded_message_is() {
    let (_rt, _emu, reformat, reword) = proxies();
    let dir = temp("proxy");
    let run = |base: &str, filter: &str, extra: &[&str]| {
        let o = bin()
            .args(["run", "--base-url", base, "--seed", "11", "--cases", "4", filter])
            .args(extra)
            .output()
            .expect("the binary runs");
        (o.status.code(), text(&o))
    };
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    // The stateful family holds the race, successes, refusals and the credit ledger.
    let (one, two) = (path("one"), path("two"));
    for d in [&one, &two] {
        let (code, said) = run(&reformat, "stateful::", &["--emulator-profile", "--record-observed", d]);
        // The charset parameter and the reordered keys pass the snapshots too.
        assert_eq!(code, Some(0), "{said}");
        assert!(said.contains(" passed; 0 failed") && said.contains("STATE-RACE-ONE-200"), "{said}");
    }
    // Three reruns in CI; `VERIFIK_PROXY_RUNS=10` for a longer look.
    let reruns: usize = std::env::var("VERIFIK_PROXY_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let mut alarms = 0;
    for _ in 0..reruns {
        let strict = ["--emulator-profile", "--observed", &one, "--observed", &two, "--strict"];
        let (code, said) = run(&reformat, "stateful::", &strict);
        alarms += usize::from(code != Some(0));
        assert!(said.contains("observed answers: compared with 2 recorded run(s)"), "{said}");
        assert!(!said.contains("changed since the observed answers"), "{said}");
    }
    assert_eq!(alarms, 0, "{reruns} reruns");
    // The 401's wording changed (judged as the vendor: the snapshot, the emulator's wording, would
    // fail it on the emulator profile): a change, a warning that does not fail the run, then a failure.
    let auth = path("auth");
    let (code, said) = run(&reformat, "AUTH-MISSING-HEADER", &["--record-observed", &auth]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = run(&reword, "AUTH-MISSING-HEADER", &["--observed", &auth]);
    assert_eq!(code, Some(0), "{said}");
    let change = "changed since the observed answers: AUTH-MISSING-HEADER: example: message \"Authentication required\" -> \"Please sign in first\" (unlike all 1 recorded run(s))";
    assert!(said.contains(change), "{said}");
    let (code, said) = run(&reword, "AUTH-MISSING-HEADER", &["--observed", &auth, "--strict"]);
    assert_eq!(code, Some(1), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The expectations file's state machine through the command line, against the emulator behind the
/// proxy (judged as the vendor): candidate → gating after three runs → a change warns, and fails under
/// `--strict`; accepting it makes a second form, a candidate again, whose old form expires after two runs
/// without it; a known deviation added from a run, then expired by its date. Then the deprecated flags
/// on an old baseline file and a format 1 observed directory: the same verdict, one warning line each.
#[test]
fn expectations_gate_expire_and_the_old_flags_still_work() {
    let (_rt, _emu, reformat, reword) = proxies();
    let dir = temp("expectations");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("expectations.json").to_string_lossy().into_owned();
    let run = |base: &str, extra: &[&str]| {
        let o = bin()
            .args(["run", "--base-url", base, "--seed", "11", "--cases", "2", "AUTH-MISSING-HEADER"])
            .args(extra)
            .output()
            .expect("the binary runs");
        (o.status.code(), text(&o))
    };
    let update = ["--expectations", &file, "--update-expectations", "--intermittent-expiry", "2"];
    let (_, said) = run(&reformat, &update);
    assert!(said.contains("added: AUTH-MISSING-HEADER example: a new expectation, candidate (1 of 3 runs)"), "{said}");
    let (_, said) = run(&reformat, &update);
    assert!(said.contains("written to") && !said.contains("promoted:"), "{said}");
    let (code, said) = run(&reformat, &update);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("promoted: AUTH-MISSING-HEADER example: gates after 3 confirming runs"), "{said}");
    let change = "AUTH-MISSING-HEADER: example: message \"Authentication required\" -> \"Please sign in first\" (unlike a gating expectation)";
    let (code, said) = run(&reword, &["--expectations", &file]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("unlike the expectations (warns): {change}")), "{said}");
    let (code, said) = run(&reword, &["--expectations", &file, "--strict"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("unlike the expectations (fails): {change}")), "{said}");
    // Accepted: a second form, a candidate again; the old wording expires after two runs without it.
    let (_, said) = run(&reword, &update);
    assert!(
        said.contains("added: AUTH-MISSING-HEADER example: a new form (2 now), candidate again (1 of 3 runs)"),
        "{said}"
    );
    // Runs 4 and 5 without the old wording, last seen in run 3: it expires in run 5.
    let (_, said) = run(&reword, &update);
    assert!(
        said.contains("expired: AUTH-MISSING-HEADER example: 1 form(s) not seen for 2 runs expired; 1 left"),
        "{said}"
    );
    // A known deviation taken from a run's findings, then expired by its date.
    let (_, said) = run(&reword, &[&update[..], &["--strict"]].concat());
    assert!(said.contains("added: known deviation AUTH-MISSING-HEADER body (expires never): added"), "{said}");
    let mut e: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("file")).expect("JSON");
    e["known_deviations"][0]["expires"] = "2000-01-01".into();
    std::fs::write(&file, serde_json::to_vec_pretty(&e).expect("JSON")).expect("written");
    let (code, said) = run(&reword, &[&update[..], &["--strict"]].concat());
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("expired: known deviation AUTH-MISSING-HEADER body (expires 2000-01-01): expired"), "{said}");
    assert!(said.contains("a known deviation has expired (2000-01-01)"), "{said}");
    // The old flags on old files: a format 1 baseline and a format 1 observed directory.
    let baseline = dir.join("baseline.json");
    let entry =
        serde_json::json!({"behaviour": "AUTH-MISSING-HEADER", "check": "body", "reason": "reworded by the vendor"});
    std::fs::write(&baseline, serde_json::json!({"format_version": 1, "known": [entry]}).to_string())
        .expect("baseline");
    let observed = dir.join("observed");
    std::fs::create_dir_all(&observed).expect("dir");
    let index = serde_json::json!({"format_version": 1, "seed": 11, "cases": 2});
    std::fs::write(observed.join("observed.json"), index.to_string()).expect("index");
    let answer = serde_json::json!({"status": 401, "code": "UNAUTHORIZED", "message": "Authentication required",
        "shape": {"code": "string", "message": "string"}});
    let old = serde_json::json!({"format_version": 1, "behaviour": "AUTH-MISSING-HEADER", "answers": [answer]});
    std::fs::write(observed.join("AUTH-MISSING-HEADER.json"), old.to_string()).expect("answers");
    let (baseline, observed) = (baseline.to_string_lossy().into_owned(), observed.to_string_lossy().into_owned());
    let old = ["--baseline", baseline.as_str(), "--observed", observed.as_str()];
    let (code, said) = run(&reword, &old);
    // Judged as the vendor, the reworded body and the changed answer warn, as before the new flags.
    assert_eq!(code, Some(0), "{said}");
    let changed = "changed since the observed answers: AUTH-MISSING-HEADER: all answers (format 1): message";
    assert!(said.contains(changed), "{said}");
    for flag in ["--baseline FILE", "--observed DIR"] {
        assert_eq!(said.matches(&format!("warning: {flag} is deprecated")).count(), 1, "{said}");
    }
    let (code, said) = run(&reword, &[&old[..], &["--strict"]].concat());
    assert_eq!(code, Some(1), "the changed answer fails under --strict, as before: {said}");
    let (code, said) = run(&reformat, &old);
    assert_eq!(code, Some(0), "the unchanged answers pass with the old flags: {said}");
    assert!(!said.contains("changed since the observed answers"), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}
