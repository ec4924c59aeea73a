//! The suite's HTTP client against small servers on loopback: `429` with `Retry-After` is retried,
//! the request budget is enforced, pacing holds a rate, and a server that never answers times out.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use verifik_conformance::target::{Call, Target, TargetError, TargetOptions};

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn retries_after_429_with_retry_after() {
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/x",
        get(move || {
            let h = h.clone();
            async move {
                if h.fetch_add(1, Ordering::SeqCst) == 0 {
                    (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}").into_response()
                } else {
                    (StatusCode::OK, [("content-type", "application/json")], "{\"ok\":true}").into_response()
                }
            }
        }),
    );
    let target = Target::new(&serve(app).await, &TargetOptions::default()).expect("client");
    let started = Instant::now();
    let x = target.send(&Call::get("/x")).await.expect("answer");
    assert_eq!(x.status, 200);
    assert_eq!((hits.load(Ordering::SeqCst), target.requests_sent()), (2, 2));
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
}

#[tokio::test]
async fn the_budget_is_enforced_and_pacing_holds_the_rate() {
    let app = Router::new().route("/x", get(|| async { "{}" }));
    let options = TargetOptions { max_requests: Some(5), rate: Some(50.0), ..TargetOptions::default() };
    let target = Target::new(&serve(app).await, &options).expect("client");
    let started = Instant::now();
    for _ in 0..5 {
        target.send(&Call::get("/x")).await.expect("within budget");
    }
    assert!(started.elapsed() >= Duration::from_millis(80), "5 requests at 50/s take at least 4 intervals");
    let refused = target.send(&Call::get("/x")).await.err();
    assert!(matches!(refused, Some(TargetError::BudgetExhausted(5))), "{refused:?}");
    assert_eq!(target.requests_sent(), 5);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let options = TargetOptions { timeout: Duration::from_millis(500), ..TargetOptions::default() };
    let target = Target::new(&format!("http://{addr}"), &options).expect("client");
    let e = target.send(&Call::get("/x")).await.expect_err("no answer");
    assert!(matches!(e, TargetError::Timeout(_)), "{e:?}");
    held.abort();
}
