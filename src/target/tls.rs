//! TLS for every HTTP client of the project: rustls on ring, installed as the process default before
//! the first client is built (reqwest is built without a crypto provider of its own).

use std::sync::Once;

/// Makes ring rustls's process-wide crypto provider. Idempotent.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    // Refused only if another provider was installed first; reqwest then uses that one.
    ONCE.call_once(|| _ = rustls::crypto::ring::default_provider().install_default());
}

/// `reqwest::Client::builder()` once a crypto provider is in place: the one way this project (and its
/// tests and benchmarks) builds an HTTP client.
pub fn client_builder() -> reqwest::ClientBuilder {
    install();
    reqwest::Client::builder()
}
