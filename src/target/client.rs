//! The HTTP client for one target: a request budget, pacing to a rate, `429` + `Retry-After`
//! honoured, a timeout per request, and response bodies read up to a cap so a misbehaving server
//! cannot exhaust memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

pub use super::call::{Body, Call};
use super::exchange::Exchange;
use super::health::{Health, route};

/// Largest response body read; the rest is dropped.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Retries after a `429`, and the longest `Retry-After` honoured.
const MAX_429_RETRIES: u32 = 3;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How requests are sent to a target and kept: a run's options about the target, with their defaults
/// in one place (`Default`); the command line's defaults are read from it.
#[derive(Debug, Clone)]
pub struct TargetOptions {
    /// How long one answer may take.
    pub timeout: Duration,
    /// Requests sent at most; the next one is refused as a budget.
    pub max_requests: Option<u64>,
    /// Requests per second at most.
    pub rate: Option<f64>,
    /// Consecutive transport failures or timeouts of one route (counted across threads) after which
    /// nothing more is sent.
    pub max_failures: u32,
    /// A body that has started must keep arriving at this many bytes per second on average (after a
    /// grace second), or the exchange is a timeout whatever `timeout` says.
    pub floor_bytes_per_sec: u64,
    /// How long the whole run may take from the target's creation; nothing is sent after it.
    pub max_time: Option<Duration>,
    /// Keep every exchange, redacted, for `--har`.
    pub har: bool,
}

impl Default for TargetOptions {
    fn default() -> TargetOptions {
        TargetOptions {
            timeout: Duration::from_secs(30),
            max_requests: None,
            rate: None,
            max_failures: 3,
            floor_bytes_per_sec: 1024,
            max_time: None,
            har: false,
        }
    }
}

const BODY_GRACE: Duration = Duration::from_secs(1);

/// Why an exchange did not happen. Transport errors keep reqwest's error as their source (shared, so
/// that the error can be handed to every behaviour a dead target ends) and name its root cause.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TargetError {
    #[error("the request budget of {0} requests is used up")]
    BudgetExhausted(u64),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {}", root_cause(.0.as_ref()))]
    Connect(#[source] std::sync::Arc<reqwest::Error>),
    #[error("the exchange failed: {}", root_cause(.0.as_ref()))]
    Transport(#[source] std::sync::Arc<reqwest::Error>),
    #[error("could not build the HTTP client")]
    Client(#[source] std::sync::Arc<reqwest::Error>),
    #[error("the body trickled in below {floor} bytes per second ({bytes} bytes after {millis} ms)")]
    TooSlow { floor: u64, bytes: usize, millis: u128 },
    /// Set once a route failed `max_failures` times in a row; every later request gets it at once.
    #[error("the target stopped answering: {0}")]
    Down(String),
    #[error("the run's time limit was reached")]
    Deadline,
}

impl TargetError {
    /// A failure of the exchange itself (no answer, or no usable one in time), which counts towards
    /// giving the target up.
    pub(crate) fn is_transport(&self) -> bool {
        matches!(
            self,
            TargetError::Timeout(_) | TargetError::Connect(_) | TargetError::Transport(_) | TargetError::TooSlow { .. }
        )
    }
}

/// A base URL and everything needed to talk to it politely.
pub struct Target {
    base: String,
    http: reqwest::Client,
    timeout: Duration,
    sent: AtomicU64,
    max_requests: Option<u64>,
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
    max_failures: u32,
    floor: u64,
    deadline: Option<Instant>,
    health: Health,
    /// Every exchange, redacted, when `--har` asked for them.
    pub har: Option<super::har::HarLog>,
}

impl Target {
    pub fn new(base_url: &str, options: &TargetOptions) -> Result<Target, TargetError> {
        let http = super::tls::client_builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| TargetError::Client(std::sync::Arc::new(e)))?;
        Ok(Target {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
            timeout: options.timeout,
            sent: AtomicU64::new(0),
            max_requests: options.max_requests,
            // An absurd rate is refused by the command line; here it must not panic either.
            interval: options.rate.filter(|r| *r > 0.0).and_then(|r| Duration::try_from_secs_f64(1.0 / r).ok()),
            next_slot: Mutex::new(Instant::now()),
            max_failures: options.max_failures.max(1),
            floor: options.floor_bytes_per_sec,
            deadline: options.max_time.map(|t| Instant::now() + t),
            health: Health::default(),
            har: options.har.then(super::har::HarLog::default),
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base
    }

    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    fn take_budget(&self) -> Result<(), TargetError> {
        let n = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        match self.max_requests {
            Some(max) if n > max => {
                self.sent.fetch_sub(1, Ordering::SeqCst);
                Err(TargetError::BudgetExhausted(max))
            }
            _ => Ok(()),
        }
    }

    async fn pace(&self) {
        let Some(interval) = self.interval else { return };
        let wait = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + interval;
            slot - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Why the target was given up, once it was.
    pub(crate) fn down(&self) -> Option<&str> {
        self.health.down.get().map(String::as_str)
    }

    /// Whether the run's time limit has passed.
    pub(crate) fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    pub async fn send(&self, call: &Call) -> Result<Exchange, TargetError> {
        let route = route(&call.method, &call.path);
        // Whatever a request presents or submits is a secret to every sink from now on.
        let redactor = super::redactor::redactor();
        if let Some(credential) = call.credential() {
            redactor.credential(credential);
        }
        if let Some(image) = call.image() {
            redactor.image(&image);
        }
        let started = chrono::Utc::now();
        let mut result = self.send_counted(call).await;
        if let Ok(x) = &mut result {
            x.seq = super::journal::record(call, x);
            if let Some(har) = &self.har {
                har.record(&self.base, call, x, started);
            }
        }
        match &result {
            Ok(_) => {
                self.health.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&route);
            }
            Err(e) if e.is_transport() => {
                let mut failures = self.health.failures.lock().unwrap_or_else(|p| p.into_inner());
                let n = failures.entry(route.clone()).or_default();
                *n += 1;
                if *n >= self.max_failures {
                    let _ = self.health.down.set(format!("{route} failed {n} times in a row, the last time: {e}"));
                }
            }
            Err(_) => {}
        }
        result
    }

    async fn send_counted(&self, call: &Call) -> Result<Exchange, TargetError> {
        let mut attempt = 0;
        loop {
            if let Some(cause) = self.down() {
                return Err(TargetError::Down(cause.to_owned()));
            }
            if self.past_deadline() {
                return Err(TargetError::Deadline);
            }
            self.take_budget()?;
            self.pace().await;
            let exchange = self.send_once(call).await?;
            if exchange.status == reqwest::StatusCode::TOO_MANY_REQUESTS && attempt < MAX_429_RETRIES {
                attempt += 1;
                let wait =
                    exchange.retry_after.map(Duration::from_secs).unwrap_or(Duration::from_secs(u64::from(attempt)));
                tokio::time::sleep(wait.min(MAX_RETRY_AFTER)).await;
                continue;
            }
            return Ok(exchange);
        }
    }

    async fn send_once(&self, call: &Call) -> Result<Exchange, TargetError> {
        let mut req = self.http.request(call.method.clone(), format!("{}{}", self.base, call.path));
        // No exchange outlives the run's time limit.
        if let Some(left) = self.deadline.map(|d| d.saturating_duration_since(Instant::now())) {
            req = req.timeout(left.min(self.timeout));
        }
        if let Some(a) = &call.authorization {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        req = match &call.body {
            Body::None => req,
            Body::Json(v) => req.header(reqwest::header::CONTENT_TYPE, "application/json").body(v.to_string()),
            Body::Raw { bytes, content_type } => {
                let req = match content_type {
                    Some(ct) => req.header(reqwest::header::CONTENT_TYPE, ct),
                    None => req,
                };
                req.body(bytes.clone())
            }
        };
        let started = Instant::now();
        let mut resp = req.send().await.map_err(|e| self.classify(e))?;
        let status = resp.status();
        let content_type =
            resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok());
        let headers = resp
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let mut bytes = Vec::new();
        let mut truncated = false;
        let body_started = Instant::now();
        loop {
            // The next chunk must come while the average since the headers stays above the floor.
            let allowed = BODY_GRACE + Duration::from_secs_f64((bytes.len() as f64 + 1.0) / self.floor.max(1) as f64);
            let wait = (body_started + allowed).saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(wait, resp.chunk()).await.map_err(|_| TargetError::TooSlow {
                floor: self.floor,
                bytes: bytes.len(),
                millis: body_started.elapsed().as_millis(),
            })?;
            let Some(chunk) = next.map_err(|e| self.classify(e))? else { break };
            let room = MAX_RESPONSE_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room < chunk.len() {
                truncated = true;
                break;
            }
        }
        // The first megabyte of a longer body is not a JSON document whatever it starts with; parsing it
        // would only cost a pass over it.
        let body = if truncated { None } else { serde_json::from_slice::<Value>(&bytes).ok() };
        let text = match (&body, bytes.is_empty()) {
            (None, false) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => None,
        };
        let body_snippet = text.as_ref().map(|t| t.chars().take(200).collect());
        Ok(Exchange {
            method: call.method.to_string(),
            path: call.path.clone(),
            retry_after,
            status,
            content_type,
            headers,
            body,
            body_snippet,
            text,
            sent_credential: call.credential().map(str::to_owned),
            elapsed: started.elapsed(),
            body_bytes: bytes.len(),
            truncated,
            seq: 0,
        })
    }

    fn classify(&self, e: reqwest::Error) -> TargetError {
        if e.is_timeout() {
            TargetError::Timeout(self.timeout)
        } else if e.is_connect() {
            TargetError::Connect(std::sync::Arc::new(e))
        } else {
            TargetError::Transport(std::sync::Arc::new(e))
        }
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
