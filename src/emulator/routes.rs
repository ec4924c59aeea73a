//! The router: every public route the flow needs, the optional provider-state route, JSON fallbacks
//! for unknown routes and methods, the body limit, and request logging that never records a token,
//! a query string or a body.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::StreamExt as _;

use super::error::ApiError;
use super::handlers::{biometric, catalog, credits, provider_states, registrations};
use super::state::AppState;

/// The emulator's whole HTTP surface.
pub(crate) fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/v2/projects", get(catalog::list_projects))
        .route("/v2/project-flows", get(catalog::list_flows))
        .route("/v2/app-registrations", post(registrations::create))
        .route("/v2/app-registrations/{id}", get(registrations::retrieve))
        .route("/v2/app-registrations/{id}/sync", put(registrations::sync))
        .route(crate::api::CENTRAL_PATH, post(biometric::create))
        .route("/v2/biometric-validations/{id}", get(biometric::retrieve))
        .route("/v2/credits", get(credits::list_credits));
    if state.config.provider_states {
        router = router.route(provider_states::PATH, post(provider_states::setup));
    }
    router
        .fallback(|| async { ApiError::route_not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(state.policy.body_limit(state.config.body_limit)))
        .layer(middleware::from_fn_with_state(state.clone(), read_whole_body))
        .layer(middleware::from_fn_with_state(state.clone(), render_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Past this many bytes an oversized body is no longer drained; the connection is closed instead.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Reads every request body in full before any handler runs. A handler that refuses early (a bad
/// token) would otherwise leave the body unread, and the server would drop the connection under a
/// client that is still sending: the emulator never drops a connection. Bodies over the limit are
/// drained and answered 413, whatever the token.
async fn read_whole_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.policy.body_limit(state.config.body_limit);
    let (mut parts, body) = req.into_parts();
    state.policy.admit(parts.uri.path(), &mut parts.headers);
    let mut stream = body.into_data_stream();
    // Sized from the declared length (within the limit): one copy of a large image, not a doubling
    // series of them.
    let declared = parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
    let (mut kept, mut total) = (Vec::with_capacity(declared.unwrap_or(0).min(limit)), 0usize);
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return ApiError::bad_request("unreadable_body").into_response() };
        total += chunk.len();
        if total <= limit {
            kept.extend_from_slice(&chunk);
        } else if total > DRAIN_LIMIT {
            break;
        }
    }
    if total > limit {
        return ApiError::payload_too_large().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(kept))).await
}

/// Every answer's headers, as the policy renders them (the vendor's: as the handler left them).
async fn render_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let authorization = req.headers().get(axum::http::header::AUTHORIZATION).cloned();
    let mut response = next.run(req).await.into_response();
    let status = response.status();
    state.policy.render_headers(&path, status, authorization, response.headers_mut());
    response
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await.into_response();
    tracing::info!(%method, %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}
