//! The suite against servers that misbehave on the central endpoint: they hang, reset the connection,
//! answer HTML, garbage or a wrong content type, drip their answer, or send a huge body. Every
//! behaviour ends within its timeout with a per-behaviour failure; the process neither panics nor
//! hangs and exits 1. The servers are raw TCP on 127.0.0.1:0; the provider-state endpoint answers
//! properly so the suite reaches the endpoint under test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
enum Mode {
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

#[test]
fn every_misbehaviour_fails_per_behaviour_without_panic_or_hang() {
    for mode in [Mode::Hang, Mode::Reset, Mode::Html, Mode::Garbage, Mode::Drip, Mode::Huge, Mode::WrongContentType] {
        let base = start(mode);
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        std::thread::spawn(move || {
            let out = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
                .args([
                    "run",
                    "--base-url",
                    &base,
                    "--timeout",
                    "2",
                    "--cases",
                    "2",
                    "--test-threads",
                    "8",
                    "documented::",
                ])
                .env("RUST_LOG", "warn")
                .output();
            let _ = tx.send(out);
        });
        let out = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("{mode:?}: the suite hung"))
            .expect("the binary runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{mode:?}: {text}");
        assert!(!text.contains("panicked"), "{mode:?} made the suite panic: {text}");
        assert!(text.contains("FAILED"), "{mode:?}: failures are reported per behaviour: {text}");
        assert!(started.elapsed() < Duration::from_secs(120));
    }
}
