//! The router: every public route the flow needs, the optional provider-state route, JSON fallbacks
//! for unknown routes and methods, the body limit, and request logging that never records a token,
//! a query string or a body.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::error::ApiError;
use super::handlers::{biometric, catalog, credits, provider_states, registrations};
use super::state::AppState;

/// The emulator's whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/v2/projects", get(catalog::list_projects))
        .route("/v2/project-flows", get(catalog::list_flows))
        .route("/v2/app-registrations", post(registrations::create))
        .route("/v2/app-registrations/{id}", get(registrations::retrieve))
        .route("/v2/app-registrations/{id}/sync", put(registrations::sync))
        .route("/v2/biometric-validations/app-registration", post(biometric::create))
        .route("/v2/biometric-validations/{id}", get(biometric::retrieve))
        .route("/v2/credits", get(credits::list_credits));
    if state.config.provider_states {
        router = router.route(provider_states::PATH, post(provider_states::setup));
    }
    router
        .fallback(|| async { ApiError::route_not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await.into_response();
    tracing::info!(%method, %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}
