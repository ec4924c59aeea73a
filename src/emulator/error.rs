//! `ApiError`: every non-200 answer of the emulator, rendered as a JSON body with its status.
//!
//! Client errors carry the vendor's documented bodies or our inferred ones; a store failure is logged
//! with its cause and answered with the vendor's generic `internal_error` body, never with details.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::store::StoreError;
use crate::api::{ErrorBody, ErrorCode};

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel through every handler's `Result`, and the body is the large part.
    pub body: Box<ErrorBody>,
    /// Seconds for `Retry-After`, on a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, body: ErrorBody) -> ApiError {
        ApiError { status, body: Box::new(body), retry_after: None }
    }

    /// `<status>:<code>[@detail]` bodies.
    pub(crate) fn prefixed(status: StatusCode, code: ErrorCode, detail: Option<&str>) -> ApiError {
        ApiError::new(status, ErrorBody::prefixed(status.as_u16(), code, detail))
    }

    pub(crate) fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, ErrorBody::plain(ErrorCode::Unauthorized, "Authentication required"))
    }

    pub(crate) fn token_expired() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, ErrorBody::plain(ErrorCode::Forbidden, "token_expired"))
    }

    /// A valid token of the wrong kind (a client token where a registration token is needed, or the
    /// reverse); the wording is the vendor's app-login `token_not_right`.
    pub(crate) fn token_not_right() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, ErrorBody::plain(ErrorCode::Forbidden, "token_not_right"))
    }

    pub(crate) fn missing_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, ErrorBody::plain(ErrorCode::MissingParameter, message))
    }

    pub(crate) fn registration_not_found() -> ApiError {
        ApiError::prefixed(StatusCode::NOT_FOUND, ErrorCode::AppRegistrationNotFound, None)
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ErrorBody::plain(ErrorCode::NotFound, format!("{what}_not_found")))
    }

    /// The hardening answers: a restify-style code and a `<status>:<token>` message.
    fn hardening(status: StatusCode, code: ErrorCode, token: &str) -> ApiError {
        ApiError::new(status, ErrorBody::plain(code, format!("{}:{token}", status.as_u16())))
    }

    pub(crate) fn bad_request(token: &str) -> ApiError {
        ApiError::hardening(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, token)
    }

    pub(crate) fn payload_too_large() -> ApiError {
        ApiError::hardening(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "payload_too_large")
    }

    pub(crate) fn unsupported_media_type() -> ApiError {
        ApiError::hardening(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "unsupported_media_type",
        )
    }

    pub(crate) fn method_not_allowed() -> ApiError {
        ApiError::hardening(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed, "method_not_allowed")
    }

    pub(crate) fn route_not_found() -> ApiError {
        ApiError::hardening(StatusCode::NOT_FOUND, ErrorCode::NotFound, "route_not_found")
    }

    /// The documented rate limit, in the restify shape of the vendor's other errors (its 429 body is
    /// undocumented), with `Retry-After`.
    pub(crate) fn rate_limited(retry_after: u64) -> ApiError {
        let body = ErrorBody {
            code: "RateLimitExceeded".into(),
            message: "429:RateLimitExceeded".into(),
            ..ErrorBody::plain(ErrorCode::BadRequest, "")
        };
        ApiError { retry_after: Some(retry_after), ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, body) }
    }

    pub(crate) fn payment_required() -> ApiError {
        ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            ErrorBody::plain(ErrorCode::PaymentRequired, "402:insufficient_credits"),
        )
    }
}

impl ApiError {
    /// The vendor's generic 500 body; the cause is logged by the caller, never sent.
    pub(crate) fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorBody { code: "ERROR".into(), ..ErrorBody::plain(ErrorCode::BadRequest, "internal_error") },
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, source = ?std::error::Error::source(&e), "store failure");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(s) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(s));
        }
        response
    }
}
