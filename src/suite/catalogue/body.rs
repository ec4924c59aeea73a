//! Malformed bodies as a whole, rather than one field: JSON that repeats a field, bytes that are not
//! JSON, JSON that is not an object, and a valid body under the wrong content type.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{fresh, refused_case, still_empty};
use crate::api::CENTRAL_PATH;
use crate::api::{ErrorCode, Os};
use crate::suite::generate;
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::target::{Call, redact};

pub(super) fn duplicate_fields(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let image = p.ctx.fixtures.face_jpeg_uri();
    let raw = format!(r#"{{"image":"{image}","os":"IOS","os":"ANDROID"}}"#).into_bytes();
    let x =
        p.central_call(&Call::post(CENTRAL_PATH, Value::Null).bearer(&reg.token).raw(raw, Some("application/json")))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::missing_parameter_naming(&x, "os"), Some(&x));
    still_empty(p, &reg.registration, &reg.token)
}

pub(super) fn not_json(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let token = reg.token.clone();
    p.property(
        generate::not_json(),
        |b| format!("{} bytes: {:?}", b.len(), redact::image(&String::from_utf8_lossy(b))),
        |case, bytes| {
            let call =
                Call::post(CENTRAL_PATH, Value::Null).bearer(&token).raw(bytes.clone(), Some("application/json"));
            refused_case(case, &call, |x| oracle::status_is(x, StatusCode::BAD_REQUEST))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

pub(super) fn not_object(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    for body in ["[]", "\"x\"", "1", "null"] {
        let x = p.central_call(
            &Call::post(CENTRAL_PATH, Value::Null)
                .bearer(&reg.token)
                .raw(body.as_bytes().to_vec(), Some("application/json")),
        )?;
        p.check_documented(oracle::refused(&x), Some(&x));
        p.check(oracle::error_is(&x, StatusCode::CONFLICT, ErrorCode::MissingParameter), Some(&x));
    }
    Ok(())
}

pub(super) fn wrong_content_type(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let body = json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": Os::Desktop}).to_string().into_bytes();
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let x = p.central_call(&Call::post(CENTRAL_PATH, Value::Null).bearer(&reg.token).raw(body.clone(), ct))?;
        p.check_documented(oracle::refused(&x), Some(&x));
        p.check(oracle::status_is(&x, StatusCode::UNSUPPORTED_MEDIA_TYPE), Some(&x));
    }
    still_empty(p, &reg.registration, &reg.token)
}
