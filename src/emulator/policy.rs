//! The emulator's deliberate deviations as one policy. The handlers are written as the vendor behaves;
//! at six named points of a request's flow they hand what they have to the policy, which is the only
//! code that knows a deviation, one small piece each:
//!
//! 1. **admit**: the request before any handler (`ignore-content-type`, `no-body-limit`);
//! 2. **authorise**: how a credential is checked and a refused one answered (`ignore-token-expiry`,
//!    `unauthorized-403`, `client-token-401`);
//! 3. **validate**: how the body is read and a refused body answered (`not-json-as-empty`,
//!    `lenient-base64`, `accept-lowercase-os`, `missing-parameter-400`, `echo-token-in-error`);
//! 4. **precheck**: which preconditions hold and how their refusals are answered (`crash-on-android`,
//!    `ignore-force`, `accept-inactive-status`, `free-on-empty-balance`, `unknown-registration-500`,
//!    `person-already-set-400`, `unprefixed-collection-message`);
//! 5. **assess**: how the image is read and scored, what passes, what a failure costs and shows
//!    (`sniff-image-type`, `accept-truncated-image`, `liveness-shift`, `inclusive-threshold`,
//!    `charge-on-failure`, `liveness-message-minimum`);
//! 6. **render**: what an answer carries (`omit-assigned-collection`, `image-in-success`,
//!    `reuse-validation-id`, `undocumented-field`, `echo-token-in-record`, `echo-token-in-set-up`,
//!    `echo-token-in-read-back`, `echo-token-in-header`, `duplicate-credit-record`, `omit-credit-total`).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::error::ApiError;
use super::liveness::{Assessment, DecodeRules};
use crate::api::{CENTRAL_PATH, DataUri, ErrorCode, Os, Score};
use crate::deviation::Deviation;

/// The deviations an emulator was started with, and what they need to remember.
#[derive(Debug, Default)]
pub(crate) struct Policy {
    on: BTreeSet<Deviation>,
    /// The first validation id answered (`reuse-validation-id` answers it again).
    first_validation: OnceLock<String>,
}

/// What was presented where a registration token is needed and refused.
pub(crate) enum Presented {
    /// No token, another scheme, or a token that does not verify.
    Unverified,
    /// The client's own token.
    ClientToken,
}

/// The preconditions the central endpoint checks before it reads the image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Preconditions {
    /// `force: true` as sent: an existing person is replaced.
    pub force: bool,
    /// The registration must be STARTED or ONGOING.
    pub require_active: bool,
    /// The client must have a credit.
    pub require_balance: bool,
}

/// Why the central endpoint refused a request before scoring it, or at its final commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    UnknownRegistration,
    /// Inactive, or another client's.
    NotFound,
    CollectionNotSet,
    PersonAlreadySet,
    PaymentRequired,
}

/// An answer about to be sent, at the point where its body is complete.
pub(crate) enum Answer<'a> {
    /// The central endpoint's 200 body (`data`).
    Registered { data: &'a mut Value, image: &'a DataUri, score: Score },
    /// The registration set-up's answer.
    SetUp(&'a mut Value),
    /// A registration read back (`data`).
    ReadBack(&'a mut Value),
    /// A page of the credits list.
    Credits(&'a mut Value),
}

impl Policy {
    pub(crate) fn new(deviations: &[Deviation]) -> Policy {
        Policy { on: deviations.iter().copied().collect(), first_validation: OnceLock::new() }
    }

    fn on(&self, d: Deviation) -> bool {
        self.on.contains(&d)
    }

    // 1. admit

    /// The request's headers as the router sees them.
    pub(crate) fn admit(&self, path: &str, headers: &mut HeaderMap) {
        if self.on(Deviation::IgnoreContentType) && path == CENTRAL_PATH {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
    }

    /// The body limit in force, given the configured one.
    pub(crate) fn body_limit(&self, configured: usize) -> usize {
        if self.on(Deviation::NoBodyLimit) { 64 * 1024 * 1024 } else { configured }
    }

    // 2. authorise

    /// Whether a token's `exp` is checked.
    pub(crate) fn checks_expiry(&self) -> bool {
        !self.on(Deviation::IgnoreTokenExpiry)
    }

    /// The answer to a refused registration credential.
    pub(crate) fn refuse_credential(&self, mut refusal: ApiError, presented: Presented) -> ApiError {
        match presented {
            Presented::ClientToken if self.on(Deviation::ClientToken401) => ApiError::unauthorized(),
            Presented::Unverified
                if self.on(Deviation::Unauthorized403) && refusal.status == StatusCode::UNAUTHORIZED =>
            {
                refusal.status = StatusCode::FORBIDDEN;
                refusal
            }
            _ => refusal,
        }
    }

    // 3. validate

    /// A body as parsed: one that is not JSON is refused as it is, or read as `{}`.
    pub(crate) fn read_body<T: Default>(&self, parsed: Result<T, ApiError>) -> Result<T, ApiError> {
        match parsed {
            Err(e) if self.on(Deviation::NotJsonAsEmpty) && e.body.code == ErrorCode::BadRequest.as_str() => {
                Ok(T::default())
            }
            other => other,
        }
    }

    /// The `image` string as validation reads it: whitespace dropped and the URL-safe alphabet
    /// translated under `lenient-base64`.
    pub(crate) fn image_text<'a>(&self, s: Cow<'a, str>) -> Cow<'a, str> {
        if !self.on(Deviation::LenientBase64) {
            return s;
        }
        let translate = |c: char| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        };
        Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).map(translate).collect())
    }

    /// The `os` string as validation reads it.
    pub(crate) fn os_text(&self, s: String) -> String {
        if self.on(Deviation::AcceptLowercaseOs) { s.to_ascii_uppercase() } else { s }
    }

    /// The answer to a body that failed validation.
    pub(crate) fn refuse_body(&self, mut e: ApiError, headers: &HeaderMap) -> ApiError {
        if e.body.code != ErrorCode::MissingParameter.as_str() {
            return e;
        }
        if self.on(Deviation::MissingParameter400) {
            e.status = StatusCode::BAD_REQUEST;
        }
        if let (true, Some(auth)) = (self.on(Deviation::EchoTokenInError), headers.get(header::AUTHORIZATION)) {
            e.body.message = format!("{} (request authorised by {})", e.body.message, auth.to_str().unwrap_or("?"));
        }
        e
    }

    // 4. precheck

    /// The preconditions a valid request is held to, or the answer that ends it first.
    pub(crate) fn preconditions(&self, os: Os, force: bool) -> Result<Preconditions, ApiError> {
        if os == Os::Android && self.on(Deviation::CrashOnAndroid) {
            return Err(ApiError::internal());
        }
        Ok(Preconditions {
            force: force && !self.on(Deviation::IgnoreForce),
            require_active: !self.on(Deviation::AcceptInactiveStatus),
            require_balance: !self.on(Deviation::FreeOnEmptyBalance),
        })
    }

    /// The answer to a refused precondition.
    pub(crate) fn refuse(&self, refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::UnknownRegistration if self.on(Deviation::UnknownRegistration500) => ApiError::internal(),
            Refusal::UnknownRegistration | Refusal::NotFound => ApiError::registration_not_found(),
            Refusal::CollectionNotSet => {
                let mut e = ApiError::prefixed(StatusCode::CONFLICT, ErrorCode::CollectionNotSet, None);
                if self.on(Deviation::UnprefixedCollectionMessage) {
                    e.body.message = ErrorCode::CollectionNotSet.as_str().to_owned();
                }
                e
            }
            Refusal::PersonAlreadySet => {
                // The status changes, the body (and its `409:` prefix) does not.
                let mut e = ApiError::prefixed(StatusCode::CONFLICT, ErrorCode::PersonAlreadySet, None);
                if self.on(Deviation::PersonAlreadySet400) {
                    e.status = StatusCode::BAD_REQUEST;
                }
                e
            }
            Refusal::PaymentRequired => ApiError::payment_required(),
        }
    }

    // 5. assess

    /// How strictly image bytes are read.
    pub(crate) fn decode_rules(&self) -> DecodeRules {
        DecodeRules {
            trust_label: !self.on(Deviation::SniffImageType),
            whole_jpeg: !self.on(Deviation::AcceptTruncatedImage),
        }
    }

    /// The engine's assessment as the endpoint takes it.
    pub(crate) fn assessed(&self, a: Assessment) -> Assessment {
        match a {
            Assessment::Scored(s) if self.on(Deviation::LivenessShift) => Assessment::Scored(s.shifted(-10)),
            other => other,
        }
    }

    /// Whether `score` passes a flow whose minimum is `minimum` (the vendor: strictly above).
    pub(crate) fn passes(&self, score: Score, minimum: Score) -> bool {
        score.passes(minimum) || (self.on(Deviation::InclusiveThreshold) && score == minimum)
    }

    /// Whether a failed attempt is charged a credit (the vendor: never).
    pub(crate) fn charges_failures(&self) -> bool {
        self.on(Deviation::ChargeOnFailure)
    }

    /// The score a failure's message names (the vendor: the score that failed).
    pub(crate) fn shown_score(&self, failed: Score, minimum: Score) -> Score {
        if self.on(Deviation::LivenessMessageMinimum) { minimum } else { failed }
    }

    // 6. render

    /// An answer's body, complete, before it is sent; `headers` are the request's.
    pub(crate) fn render(&self, answer: Answer<'_>, headers: &HeaderMap) {
        let auth = || headers.get(header::AUTHORIZATION).map(|a| Value::from(a.to_str().unwrap_or("?")));
        match answer {
            Answer::Registered { data, image, score } => self.render_registered(data, image, score, headers),
            Answer::SetUp(body) => {
                if let (true, Some(a)) = (self.on(Deviation::EchoTokenInSetUp), auth()) {
                    body["data"]["requestedWith"] = a;
                }
            }
            Answer::ReadBack(doc) => {
                if let (true, Some(a)) = (self.on(Deviation::EchoTokenInReadBack), auth()) {
                    doc["lastReadBy"] = a;
                }
            }
            Answer::Credits(body) => {
                if let (true, Some(Value::Array(data))) =
                    (self.on(Deviation::DuplicateCreditRecord), body.get_mut("data"))
                    && let Some(first) = data.first().cloned()
                {
                    data.push(first);
                }
                if let (true, Some(Value::Object(p))) =
                    (self.on(Deviation::OmitCreditTotal), body.get_mut("pagination"))
                {
                    p.shift_remove("total");
                }
            }
        }
    }

    fn render_registered(&self, data: &mut Value, image: &DataUri, score: Score, headers: &HeaderMap) {
        let Value::Object(m) = data else { return };
        if self.on(Deviation::OmitAssignedCollection) {
            m.shift_remove("assignedCollection");
        }
        if let (true, Some(person)) = (self.on(Deviation::ImageInSuccess), m.get("person").cloned()) {
            let uri = image.encode();
            let payload = uri.split_once(',').map_or(uri.as_str(), |(_, data)| data);
            m.insert("person".into(), json!({"_id": person, "selfie": payload}));
        }
        if self.on(Deviation::ReuseValidationId)
            && let Some(Value::String(bv)) = m.get("biometricValidation").cloned()
        {
            let first = self.first_validation.get_or_init(|| bv).clone();
            m.insert("biometricValidation".into(), Value::String(first));
        }
        if self.on(Deviation::UndocumentedField) {
            m.insert("debug".into(), json!({"engine": "pad", "score": score.as_f64()}));
        }
        if let (true, Some(auth)) = (self.on(Deviation::EchoTokenInRecord), headers.get(header::AUTHORIZATION))
            && let Some(person) = m.get("person").cloned()
        {
            m.insert("person".into(), json!({"_id": person, "verifiedWith": auth.to_str().unwrap_or("?")}));
        }
    }

    /// The headers of an answer of `path` with `status`, given the request's `Authorization`.
    pub(crate) fn render_headers(
        &self,
        path: &str,
        status: StatusCode,
        authorization: Option<HeaderValue>,
        out: &mut HeaderMap,
    ) {
        if let (true, Some(value)) = (self.on(Deviation::EchoTokenInHeader), authorization)
            && path == CENTRAL_PATH
            && status == StatusCode::NOT_FOUND
        {
            out.insert("x-debug-authorization", value);
        }
    }
}
