//! Whether a target still answers: consecutive transport failures per route, counted across the
//! run's threads, and the cause once the target is given up.

use reqwest::Method;

/// Consecutive transport failures per route, shared by every thread of a run.
#[derive(Debug, Default)]
pub(super) struct Health {
    pub(super) failures: std::sync::Mutex<std::collections::HashMap<String, u32>>,
    pub(super) down: std::sync::OnceLock<String>,
}

/// A route without its query and with ObjectId segments folded, so `/v2/app-registrations/<id>` is one.
pub(super) fn route(method: &Method, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let folded: Vec<&str> = path
        .split('/')
        .map(|seg| if seg.len() == 24 && seg.bytes().all(|b| b.is_ascii_hexdigit()) { "{id}" } else { seg })
        .collect();
    format!("{method} {}", folded.join("/"))
}
