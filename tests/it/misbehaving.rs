//! The suite against servers that misbehave on the central endpoint: they never answer, hang, reset
//! the connection, answer HTML, garbage or a wrong content type, drip their body or their whole answer,
//! or send a huge body. Every run ends with exit 1 well within 2 × `--timeout` + 10 s, naming the fault;
//! a target that stops answering is given up after 3 consecutive failures of one route instead of
//! waiting out every exchange's timeout. The servers are raw TCP on 127.0.0.1:0; the provider-state
//! endpoint answers properly so the suite reaches the endpoint under test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Reads the request and never answers (the connection stays open a minute).
    NeverAnswers,
    /// The whole answer, head included, one byte every half second.
    Trickle,
    Hang,
    Reset,
    Html,
    Garbage,
    Drip,
    Huge,
    WrongContentType,
}

/// Reads one request head and, unless `skip_body`, its body; `None` when the client went away.
fn read_request(s: &mut TcpStream, skip_body: bool) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    if skip_body && !head.contains("/__conformance/provider-states") {
        return Some(head);
    }
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(head)
}

fn respond(s: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
}

fn serve(mut s: TcpStream, mode: Mode) {
    // A reset: close with the request body still unread, which makes the kernel send RST.
    let Some(head) = read_request(&mut s, matches!(mode, Mode::Reset)) else { return };
    if head.contains("/__conformance/provider-states") {
        let id = "6b0800000000000000000001";
        let body = format!(
            r#"{{"data":{{"clientToken":"c","client":"{id}","project":"{id}","projectFlow":"{id}","appRegistrationId":"{id}","token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln","status":"STARTED","collection":"{id}","person":null,"biometricValidation":null}}}}"#
        );
        return respond(&mut s, "200 OK", "application/json", body.as_bytes());
    }
    match mode {
        Mode::NeverAnswers => std::thread::sleep(Duration::from_secs(60)),
        Mode::Trickle => {
            let body = r#"{"code":"x","message":"slow"}"#;
            let answer = format!(
                "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            for b in answer.bytes() {
                if s.write_all(&[b]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        Mode::Hang => std::thread::sleep(Duration::from_secs(30)),
        Mode::Reset => drop(s),
        Mode::Html => respond(&mut s, "200 OK", "text/html", b"<html><body>Welcome</body></html>"),
        Mode::Garbage => {
            let _ = s.write_all(b"\x00\xff garbage, not HTTP at all \x13\x37");
        }
        Mode::Drip => {
            let body = br#"{"code":"x","message":"slow"}"#;
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            for b in body {
                if s.write_all(&[*b]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        Mode::Huge => {
            let body = vec![b'x'; 8 * 1024 * 1024];
            respond(&mut s, "200 OK", "application/json", &body);
        }
        Mode::WrongContentType => respond(
            &mut s,
            "409 Conflict",
            "text/plain",
            br#"{"code":"person_already_set","message":"409:person_already_set"}"#,
        ),
    }
}

fn start(mode: Mode) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            std::thread::spawn(move || serve(s, mode));
        }
    });
    format!("http://{addr}")
}

/// What the output must name for each fault.
fn named_fault(mode: Mode) -> &'static [&'static str] {
    match mode {
        Mode::NeverAnswers | Mode::Hang | Mode::Trickle => &["the target stopped answering", "no answer within"],
        Mode::Reset | Mode::Garbage => &["the target stopped answering", "the exchange failed"],
        Mode::Drip => &["the target stopped answering", "trickled in below 1024 bytes per second"],
        Mode::Html | Mode::WrongContentType => &["json-content-type"],
        Mode::Huge => &["the body does not parse as JSON"],
    }
}

impl Mode {
    /// Whether the fault costs the run waiting (timeouts, a stalled body) rather than work: such runs
    /// spend their time asleep, so machine load barely moves it.
    fn waits(self) -> bool {
        matches!(self, Mode::NeverAnswers | Mode::Trickle | Mode::Hang | Mode::Drip)
    }
}

/// One run of the suite against a server with `mode`'s fault: the exit code, what it printed, how long.
fn run_against(mode: Mode, timeout: u64) -> (Mode, std::io::Result<std::process::Output>, Duration) {
    let base = start(mode);
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
        .args(["run", "--base-url", &base, "--timeout", &timeout.to_string(), "--cases", "2"])
        .args(["--test-threads", "2"])
        .env("RUST_LOG", "warn")
        .output();
    (mode, out, started.elapsed())
}

/// The faults that cost waiting run side by side (their time is the timeouts'); those that cost work
/// run one at a time beside them, so that no more than one CPU-bound run competes with the rest of the
/// test suite for the machine's cores. That keeps each run's time about its own fault, on a slow or
/// busy machine too: measured ten times in a row beside a release build.
#[test]
#[expect(clippy::print_stdout, reason = "the measured time of each run is the test's report")]
fn every_misbehaviour_ends_the_run_in_bounded_time_naming_the_fault() {
    const TIMEOUT: u64 = 10;
    let modes = [
        Mode::NeverAnswers,
        Mode::Trickle,
        Mode::Hang,
        Mode::Reset,
        Mode::Html,
        Mode::Garbage,
        Mode::Drip,
        Mode::Huge,
        Mode::WrongContentType,
    ];
    let (tx, rx) = mpsc::channel();
    for mode in modes.into_iter().filter(|m| m.waits()) {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(run_against(mode, TIMEOUT));
        });
    }
    let working: Vec<Mode> = modes.into_iter().filter(|m| !m.waits()).collect();
    std::thread::spawn(move || {
        for mode in working {
            let _ = tx.send(run_against(mode, TIMEOUT));
        }
    });
    let bound = Duration::from_secs(2 * TIMEOUT + 10);
    let mut wrong = Vec::new();
    for _ in modes {
        let (mode, out, took) =
            rx.recv_timeout(Duration::from_secs(300)).unwrap_or_else(|_| panic!("a run hung past 300 s"));
        let out = out.expect("the binary runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        println!("{mode:?}: exit {:?} after {:.1} s", out.status.code(), took.as_secs_f64());
        if out.status.code() != Some(1) || text.contains("panicked") || took > bound {
            wrong.push(format!("{mode:?}: exit {:?} after {took:?}: {text}", out.status.code()));
        }
        if let Some(missing) = named_fault(mode).iter().find(|phrase| !text.contains(*phrase)) {
            wrong.push(format!("{mode:?}: the output does not say {missing:?}: {text}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
