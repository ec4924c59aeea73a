//! `cargo bench --bench throughput`: the suite's and the emulator's figures, measured in one run on
//! this machine and printed as a table (docs/benchmarks.md).
//!
//! * the suite: wall time and checks per second of the default run against the embedded emulator, and
//!   against a server that answers instantly (the suite's own overhead), with peak memory;
//! * the emulator, as a separate process under load from this one on loopback: requests per second
//!   and p50/p99 latency on the happy path with a 640x480 JPEG selfie (the same image, whose assessment
//!   is cached, and a fresh image every request), and on a rejected-input path; its peak memory;
//! * the physical limits measured in the same run: the per-image engine cost times the cores, and a
//!   bare axum handler receiving the same body, served by this bench re-executed as a separate
//!   process (`VERIFIK_BARE_SERVER=1`), so that it and the emulator are measured the same way.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::json;
use verifik_conformance::api::{DataUri, ImageMediaType};
use verifik_conformance::emulator::liveness::{LivenessEngine, decode};
use verifik_conformance::emulator::pad::PadEngine;

const BIN: &str = env!("CARGO_BIN_EXE_verifik-conformance");
const REQUESTS: usize = 400;
const CONCURRENCY: usize = 8;
/// The rejected-input path and the bare handler answer in well under a millisecond: a load of
/// `REQUESTS` is over in 20 to 60 ms, less than the noise of a shared machine. Their ratio is taken
/// over longer loads, alternating, and the median of `ROUNDS` is reported.
const FAST_REQUESTS: usize = 4000;
const ROUNDS: usize = 5;

fn selfie() -> Vec<u8> {
    verifik_conformance::faces::derive::selfie_640x480()
}

/// The same pixels with a different JPEG comment: a new digest, so no cached assessment applies.
fn with_nonce(jpeg: &[u8], nonce: usize) -> Vec<u8> {
    let text = format!("nonce {nonce}");
    let len = u16::try_from(text.len() + 2).unwrap_or(u16::MAX);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Runs the binary under GNU time: (wall seconds, peak RSS in MiB, exit code).
fn timed(args: &[&str]) -> (f64, f64, Option<i32>) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg(BIN)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("/usr/bin/time runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    let mut parts = last.split_whitespace();
    let wall: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let kib: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    (wall, kib / 1024.0, out.status.code())
}

fn lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map(|t| t.lines().count()).unwrap_or(0)
}

struct Load {
    rps: f64,
    p50: Duration,
    p99: Duration,
    statuses: std::collections::BTreeMap<u16, usize>,
}

async fn load(url: String, token: Option<String>, bodies: Arc<Vec<Vec<u8>>>, requests: usize) -> Load {
    let client = verifik_conformance::target::tls::client_builder()
        .no_proxy()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, token, bodies, next) =
            (client.clone(), url.clone(), token.clone(), bodies.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= requests {
                    break seen;
                }
                let mut req =
                    client.post(&url).header("content-type", "application/json").body(bodies[i % bodies.len()].clone());
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                let t = Instant::now();
                let status = match req.send().await {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                seen.push((t.elapsed(), status));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = all.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let mut statuses = std::collections::BTreeMap::new();
    for (_, s) in &all {
        *statuses.entry(*s).or_insert(0) += 1;
    }
    Load { rps: all.len() as f64 / elapsed.as_secs_f64(), p50: at(0.5), p99: at(0.99), statuses }
}

fn row(name: &str, l: &Load) {
    println!(
        "{name:<44} {:>8.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   {:?}",
        l.rps,
        l.p50.as_secs_f64() * 1e3,
        l.p99.as_secs_f64() * 1e3,
        l.statuses
    );
}

/// A server that answers everything at once: provider states with a usable token, the rest with a
/// MissingParameter conflict. What is left of a suite run against it is the suite's own cost.
fn instant_app() -> Router {
    let id = "6b0800000000000000000001";
    let state = json!({"data": {"clientToken": "c", "client": id, "project": id, "projectFlow": id, "appRegistrationId": id,
        "token": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "status": "STARTED", "collection": id, "person": null, "biometricValidation": null}});
    let conflict = json!({"code": "MissingParameter", "message": "\"os\" is required"});
    Router::new()
        .route(
            verifik_conformance::target::PROVIDER_STATES,
            post(move || {
                let s = state.clone();
                async move { axum::Json(s) }
            }),
        )
        .fallback(move || {
            let c = conflict.clone();
            async move { (axum::http::StatusCode::CONFLICT, axum::Json(c)) }
        })
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The bare handler as its own process: prints `listening on <url>` and serves until killed, on the
/// same kind of runtime the emulator uses.
fn bare_server() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let app = Router::new()
            .route("/x", post(|body: axum::body::Bytes| async move { format!("{{\"bytes\":{}}}", body.len()) }));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        println!("listening on http://{}", listener.local_addr().expect("addr"));
        let _ = axum::serve(listener, app).await;
    });
}

/// Starts `cmd` (which prints `... <url>` on its first line) and returns it with the URL.
fn spawn_server(cmd: &mut Command) -> (std::process::Child, String) {
    let mut child = cmd.env("RUST_LOG", "error").stdout(Stdio::piped()).spawn().expect("server starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("listening line");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = first.trim().rsplit(' ').next().expect("address").to_owned();
    (child, url)
}

fn main() {
    if std::env::var_os("VERIFIK_BARE_SERVER").is_some() {
        return bare_server();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = std::env::temp_dir().join(format!("verifik-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "machine: {cores} cores; {REQUESTS} requests per load ({FAST_REQUESTS} for the two sub-millisecond paths) at concurrency {CONCURRENCY}\n"
    );

    let events = dir.join("suite.ndjson");
    let (wall, rss, code) = timed(&["--seed", "1", "--ndjson", events.to_str().expect("utf-8"), "--format", "terse"]);
    let checks = lines(&events);
    println!(
        "suite vs embedded emulator      {wall:>6.2} s wall  {checks:>5} checks  {:>7.0} checks/s  peak {rss:>6.1} MiB  (exit {code:?})",
        checks as f64 / wall
    );
    let instant = rt.block_on(serve(instant_app()));
    let events = dir.join("instant.ndjson");
    let (wall, rss, code) = timed(&[
        "run",
        "--base-url",
        &instant,
        "--emulator-profile",
        "--seed",
        "1",
        "--ndjson",
        events.to_str().expect("utf-8"),
        "--format",
        "terse",
    ]);
    let checks = lines(&events);
    println!(
        "suite vs an instant server      {wall:>6.2} s wall  {checks:>5} checks  {:>7.0} checks/s  peak {rss:>6.1} MiB  (exit {code:?}: it is not conformant)\n",
        checks as f64 / wall
    );

    let (mut emu, base) =
        spawn_server(Command::new(BIN).args(["emulate", "--listen", "127.0.0.1:0", "--provider-states"]));
    let (mut bare, bare_url) =
        spawn_server(Command::new(std::env::current_exe().expect("this bench")).env("VERIFIK_BARE_SERVER", "1"));
    let jpeg = selfie();
    let uri = |bytes: &[u8]| DataUri::new(ImageMediaType::Jpeg, bytes.to_vec()).encode();
    rt.block_on(async {
        let c = verifik_conformance::target::tls::client_builder().no_proxy().build().expect("client");
        let state = verifik_conformance::target::states::app_registration(&c, &base, json!({"credits": 1_000_000}))
            .await
            .expect("state");
        let token = state["token"].as_str().map(str::to_owned);
        let central = format!("{base}/v2/biometric-validations/app-registration");
        let same = Arc::new(vec![json!({"image": uri(&jpeg), "os": "IOS", "force": true}).to_string().into_bytes()]);
        row(
            "emulator happy path, same selfie (cached)",
            &load(central.clone(), token.clone(), same.clone(), REQUESTS).await,
        );
        let fresh: Vec<Vec<u8>> = (0..REQUESTS)
            .map(|i| json!({"image": uri(&with_nonce(&jpeg, i)), "os": "IOS", "force": true}).to_string().into_bytes())
            .collect();
        row(
            "emulator happy path, a new selfie each time",
            &load(central.clone(), token.clone(), Arc::new(fresh), REQUESTS).await,
        );
        let rejected = Arc::new(vec![json!({"image": uri(&jpeg), "os": "windows"}).to_string().into_bytes()]);
        let bare = format!("{bare_url}/x");
        // Connections opened and both servers warm before anything counts.
        load(central.clone(), token.clone(), rejected.clone(), FAST_REQUESTS / 4).await;
        load(bare.clone(), None, same.clone(), FAST_REQUESTS / 4).await;
        let mut rounds = Vec::new();
        for _ in 0..ROUNDS {
            let r = load(central.clone(), token.clone(), rejected.clone(), FAST_REQUESTS).await;
            let b = load(bare.clone(), None, same.clone(), FAST_REQUESTS).await;
            rounds.push((r.rps / b.rps, r, b));
        }
        rounds.sort_by(|x, y| x.0.total_cmp(&y.0));
        let (low, high) = (rounds[0].0, rounds[ROUNDS - 1].0);
        let (ratio, rejected_load, bare_load) = &rounds[ROUNDS / 2];
        row("emulator rejected input (invalid os)", rejected_load);
        row("bare axum handler, same body (limit)", bare_load);
        println!(
            "rejected input / bare handler    {:>6.1} %  (median of {ROUNDS} alternating rounds of {FAST_REQUESTS}, {:.1} to {:.1} %; separate processes, the same load)",
            100.0 * ratio,
            100.0 * low,
            100.0 * high
        );
    });
    let _ = bare.kill();
    let _ = bare.wait();
    println!("emulator peak memory            {:>6.1} MiB", peak_rss_mib(emu.id()));
    let _ = emu.kill();
    let _ = emu.wait();

    let engine = PadEngine::new().expect("model loads");
    let started = Instant::now();
    let n = 20;
    for i in 0..n {
        let d = decode(&DataUri::new(ImageMediaType::Jpeg, with_nonce(&jpeg, 10_000 + i))).expect("decodes");
        std::hint::black_box(engine.assess(&d));
    }
    let per_image = started.elapsed() / n as u32;
    println!(
        "engine per new 640x480 selfie    {:>6.2} ms  -> physical limit {:.1} req/s on {cores} cores",
        per_image.as_secs_f64() * 1e3,
        cores as f64 / per_image.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
