//! Malformed input: each data-URI defect class, invalid `os` and `force`, missing, extra and
//! duplicated fields, bodies that are not JSON or not objects, and wrong content types. That a
//! malformed request is refused and creates nothing is documented (the page specifies the fields);
//! the exact answer, 409 `MissingParameter` naming the field, 400, 413 or 415, is inferred.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::body::{duplicate_fields, not_json, not_object, wrong_content_type};
use super::{quality_failure, still_empty};
use crate::api::{Os, QualityCode};
use crate::suite::behaviour::{Behaviour, BehaviourId, Cost, Family, Kind, Strictness};
use crate::suite::generate::{self, UriDefect};
use crate::suite::oracle;
use crate::suite::probe::{CENTRAL, Case, CaseResult, Probe, Stop, case_check};
use crate::target::{Call, Capability, Provisioned, StateParams};

const PARAMS: &str = "the page's Params table (image: base64 data URI, required; os: DESKTOP, IOS, ANDROID, required; force: boolean); answers per the README's decisions";

fn b(
    id: &'static str,
    kind: Kind,
    strictness: Strictness,
    statement: &'static str,
    requests: u32,
    run: fn(&mut Probe<'_>) -> Result<(), Stop>,
) -> Behaviour {
    Behaviour {
        id: BehaviourId(id),
        family: Family::Input,
        strictness,
        kind,
        statement,
        source: PARAMS,
        needs: &[Capability::Registration],
        cost: Cost { requests, charging: 0 },
        run,
    }
}

pub fn behaviours() -> Vec<Behaviour> {
    use Kind::*;
    use Strictness::*;
    vec![
        Behaviour {
            cost: Cost { requests: 1, charging: 1 },
            needs: &[Capability::SetUp],
            ..b(
                "INPUT-DATA-URI-VALID",
                Property,
                Documented,
                "every valid data URI of the face (JPEG with metadata, JPEG without, PNG), with each os, with force true, false or absent, answers 200",
                1,
                valid_uris,
            )
        },
        b(
            "INPUT-DATA-URI-SCHEME",
            Property,
            Inferred,
            "a wrong scheme, the right one in the wrong case, or raw base64 without \"data:\" is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::Scheme),
        ),
        b(
            "INPUT-DATA-URI-MEDIA-TYPE",
            Property,
            Inferred,
            "a missing, unknown or upper-case media type is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::MediaType),
        ),
        b(
            "INPUT-DATA-URI-LABEL-MISMATCH",
            Property,
            Inferred,
            "image/png on JPEG bytes (and the reverse) is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::LabelMismatch),
        ),
        b(
            "INPUT-DATA-URI-NO-BASE64-MARKER",
            Property,
            Inferred,
            "a data URI without \";base64\" is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::NoBase64Marker),
        ),
        b(
            "INPUT-DATA-URI-URL-SAFE",
            Property,
            Inferred,
            "the URL-safe alphabet in the payload is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::UrlSafe),
        ),
        b(
            "INPUT-DATA-URI-PADDING",
            Property,
            Inferred,
            "missing, stray or extra padding is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::Padding),
        ),
        b(
            "INPUT-DATA-URI-WHITESPACE",
            Property,
            Inferred,
            "whitespace inside the payload is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::Whitespace),
        ),
        b(
            "INPUT-DATA-URI-TRUNCATED",
            Property,
            Inferred,
            "valid base64 of truncated image bytes is refused with 409 MissingParameter naming image",
            1,
            |p| defect(p, UriDefect::Truncated),
        ),
        b(
            "INPUT-DATA-URI-EMPTY",
            Example,
            Inferred,
            "an empty image string is refused with 409 MissingParameter naming image",
            3,
            empty_image,
        ),
        b(
            "INPUT-DATA-URI-NO-FACE",
            Example,
            Inferred,
            "a valid image with no face answers 409 liveness_failed@ERR_NO_FACE_DETECTED with failureKind quality",
            3,
            no_face,
        ),
        b(
            "INPUT-DATA-URI-OVERSIZED",
            Example,
            Inferred,
            "a body over the size limit (11 MiB) is refused with 413 and a JSON body, never a 5xx or a dropped connection",
            2,
            oversized,
        ),
        b(
            "INPUT-IMAGE-MISSING",
            Example,
            Inferred,
            "a body without image (or image: null) is refused with 409 MissingParameter naming image",
            3,
            image_missing,
        ),
        b(
            "INPUT-IMAGE-WRONG-TYPE",
            Example,
            Inferred,
            "an image that is not a string is refused with 409 MissingParameter naming image",
            5,
            image_wrong_type,
        ),
        b(
            "INPUT-OS-INVALID",
            Property,
            Inferred,
            "an os outside DESKTOP, IOS, ANDROID (other case, other word, other JSON type) is refused with 409 MissingParameter naming os",
            1,
            os_invalid,
        ),
        b(
            "INPUT-OS-MISSING",
            Example,
            Inferred,
            "a body without os is refused with 409 MissingParameter naming os",
            2,
            os_missing,
        ),
        b(
            "INPUT-FORCE-WRONG-TYPE",
            Property,
            Inferred,
            "a force that is not a boolean is refused with 409 MissingParameter naming force",
            1,
            force_wrong_type,
        ),
        Behaviour {
            cost: Cost { requests: 2, charging: 1 },
            ..b(
                "INPUT-EXTRA-FIELDS",
                Example,
                Inferred,
                "unknown fields next to a valid image and os are ignored: 200",
                2,
                extra_fields,
            )
        },
        b(
            "INPUT-DUPLICATE-FIELDS",
            Example,
            Inferred,
            "a JSON object that repeats os is refused with 409 MissingParameter naming os",
            2,
            duplicate_fields,
        ),
        b(
            "INPUT-NOT-JSON",
            Property,
            Inferred,
            "a body that is not JSON is refused with 400 and a JSON error body",
            1,
            not_json,
        ),
        b(
            "INPUT-NOT-OBJECT",
            Example,
            Inferred,
            "JSON that is not an object ([], \"x\", 1, null) is refused with 409 MissingParameter",
            5,
            not_object,
        ),
        b(
            "INPUT-WRONG-CONTENT-TYPE",
            Example,
            Inferred,
            "a valid JSON body sent as text/plain, form data or with no content type is refused with 415",
            4,
            wrong_content_type,
        ),
    ]
}

pub(super) fn fresh(p: &mut Probe<'_>) -> Result<Provisioned, Stop> {
    p.provision(&StateParams::default())
}

/// One refused case: never accepted (documented), answered as `expected` says (inferred).
pub(super) fn refused_case(
    case: &Case<'_>,
    call: &Call,
    expected: impl Fn(&crate::target::Exchange) -> Option<oracle::Finding>,
) -> CaseResult {
    let x = case.send(call)?;
    case_check(Strictness::Documented, oracle::refused(&x), &x)?;
    case_check(Strictness::Inferred, expected(&x), &x)
}

fn valid_uris(p: &mut Probe<'_>) -> Result<(), Stop> {
    // The shared registration already has a person, so every `force: true` case exercises the override.
    let reg = p.provision(&StateParams { person_set: true, ..StateParams::default() })?;
    let force = proptest::prop_oneof![2 => proptest::strategy::Just(Some(true)), 1 => proptest::strategy::Just(Some(false)), 1 => proptest::strategy::Just(None)];
    let strategy = (
        proptest::sample::select(p.ctx.fixtures.faces()),
        proptest::sample::select(crate::api::Os::ALL.to_vec()),
        force,
    );
    let token = reg.token.clone();
    let show = |(img, os, force): &(crate::suite::fixtures::Image, crate::api::Os, Option<bool>)| {
        format!("{img:?} os {os} force {force:?}")
    };
    p.property(strategy, show, |case, (img, os, force)| {
        let mut body = json!({"image": img.data_uri(), "os": os});
        // `force: true` may reuse the trial's registration; without it a first validation needs a
        // registration of its own.
        let token = match force {
            Some(true) => token.clone(),
            _ => case.provision(&StateParams::default())?.token,
        };
        if let Some(f) = force {
            body["force"] = json!(f);
        }
        let x = case.send(&Call::post(CENTRAL, body).bearer(&token))?;
        case_check(Strictness::Documented, oracle::status_is(&x, StatusCode::OK), &x)
    })
}

fn defect(p: &mut Probe<'_>, defect: UriDefect) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let token = reg.token.clone();
    p.property(
        generate::malformed_uri(defect, p.ctx.fixtures.faces()),
        |m| format!("{m:?}"),
        |case, m| {
            // force: true keeps the cases independent: a wrongly accepted case would otherwise make
            // every later one a person_already_set and mislead the shrinking.
            let call = Call::post(CENTRAL, json!({"image": m.text, "os": Os::Desktop, "force": true})).bearer(&token);
            refused_case(case, &call, |x| oracle::missing_parameter_naming(x, "image"))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn expect_missing(p: &mut Probe<'_>, token: &str, body: Value, field: &str) -> Result<(), Stop> {
    let x = p.central_as(token, body)?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::missing_parameter_naming(&x, field), Some(&x));
    Ok(())
}

fn empty_image(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    expect_missing(p, &reg.token, json!({"image": "", "os": Os::Ios}), "image")?;
    expect_missing(p, &reg.token, json!({"image": "data:image/jpeg;base64,", "os": Os::Ios}), "image")?;
    still_empty(p, &reg.registration, &reg.token)
}

fn no_face(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let image = p.ctx.fixtures.flat_png.data_uri().to_owned();
    let x = p.central_as(&reg.token, json!({"image": image, "os": Os::Android}))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::status_is(&x, StatusCode::CONFLICT), Some(&x));
    quality_failure(p, &x, QualityCode::NoFaceDetected);
    still_empty(p, &reg.registration, &reg.token)
}

fn oversized(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let payload =
        crate::api::DataUri::new(crate::api::ImageMediaType::Jpeg, vec![0u8; 8 * 1024 * 1024 + 512 * 1024]).encode();
    let x = p.central_as(&reg.token, json!({"image": payload, "os": Os::Desktop}))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::status_is(&x, StatusCode::PAYLOAD_TOO_LARGE), Some(&x));
    still_empty(p, &reg.registration, &reg.token)
}

fn image_missing(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    expect_missing(p, &reg.token, json!({"os": Os::Ios}), "image")?;
    expect_missing(p, &reg.token, json!({"image": null, "os": Os::Ios}), "image")
}

fn image_wrong_type(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    for image in [json!(7), json!(true), json!(["data:image/jpeg;base64,/9j/"]), json!({"data": "x"})] {
        expect_missing(p, &reg.token, json!({"image": image, "os": Os::Ios}), "image")?;
    }
    Ok(())
}

fn os_invalid(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let (token, image) = (reg.token.clone(), p.ctx.fixtures.face_jpeg_uri().to_owned());
    p.property(
        generate::invalid_os(),
        |os| format!("os = {os:?}"),
        |case, os| {
            let call = Call::post(CENTRAL, json!({"image": image, "os": os.0})).bearer(&token);
            refused_case(case, &call, |x| oracle::missing_parameter_naming(x, "os"))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn os_missing(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let image = p.ctx.fixtures.face_jpeg_uri().to_owned();
    expect_missing(p, &reg.token, json!({"image": image}), "os")?;
    still_empty(p, &reg.registration, &reg.token)
}

fn force_wrong_type(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let (token, image) = (reg.token.clone(), p.ctx.fixtures.face_jpeg_uri().to_owned());
    p.property(
        generate::invalid_force(),
        |f| format!("force = {f:?}"),
        |case, force| {
            let call = Call::post(CENTRAL, json!({"image": image, "os": Os::Ios, "force": force.0})).bearer(&token);
            refused_case(case, &call, |x| oracle::missing_parameter_naming(x, "force"))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn extra_fields(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let image = p.ctx.fixtures.face_jpeg_uri().to_owned();
    let x = p.central_as(
        &reg.token,
        json!({"image": image, "os": Os::Desktop, "deviceModel": "x", "extra": {"nested": [1, 2]}}),
    )?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    Ok(())
}
