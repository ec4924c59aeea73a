//! Malformed input: each data-URI defect class, invalid `os` and `force`, missing, extra and
//! duplicated fields, bodies that are not JSON or not objects, and wrong content types. That a
//! malformed request is refused and creates nothing is documented (the page specifies the fields);
//! the exact answer, 409 `MissingParameter` naming the field, 400, 413 or 415, is inferred.

use super::{MEETS_200, MEETS_MISSING_PARAMETER, READS_BACK};
use crate::deviation::Deviation;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::Behaviour;
use super::body::{duplicate_fields, not_json, not_object, wrong_content_type};
use super::{fresh, quality_failure, refused_case, still_empty};
use crate::api::CENTRAL_PATH;
use crate::api::{Os, QualityCode};
use crate::suite::behaviour::{Family, Strictness};
use crate::suite::generate::{self, UriDefect};
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::suite::property::case_check;
use crate::target::{Call, Capability, StateParams};

const PARAMS: &str = "the page's Params table (image: base64 data URI, required; os: DESKTOP, IOS, ANDROID, required; force: boolean); answers per the emulator's decisions (docs/emulator.md)";

const REGISTRATION: &[Capability] = &[Capability::Registration];

/// The data-URI defect family, a row each: every generated case of the defect is refused with 409
/// MissingParameter naming image, and the registration is left without a person.
type BrokenBy = &'static [&'static [Deviation]];
const URI_DEFECTS: [(&str, UriDefect, &str, BrokenBy); 8] = [
    (
        "INPUT-DATA-URI-SCHEME",
        UriDefect::Scheme,
        "a wrong scheme, the right one in the wrong case, or raw base64 without \"data:\" is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK],
    ),
    (
        "INPUT-DATA-URI-MEDIA-TYPE",
        UriDefect::MediaType,
        "a missing, unknown or upper-case media type is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK],
    ),
    (
        "INPUT-DATA-URI-LABEL-MISMATCH",
        UriDefect::LabelMismatch,
        "image/png on JPEG bytes (and the reverse) is refused with 409 MissingParameter naming image",
        &[READS_BACK, &[Deviation::SniffImageType]],
    ),
    (
        "INPUT-DATA-URI-NO-BASE64-MARKER",
        UriDefect::NoBase64Marker,
        "a data URI without \";base64\" is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK],
    ),
    (
        "INPUT-DATA-URI-URL-SAFE",
        UriDefect::UrlSafe,
        "the URL-safe alphabet in the payload is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK, &[Deviation::LenientBase64]],
    ),
    (
        "INPUT-DATA-URI-PADDING",
        UriDefect::Padding,
        "missing, stray or extra padding is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK],
    ),
    (
        "INPUT-DATA-URI-WHITESPACE",
        UriDefect::Whitespace,
        "whitespace inside the payload is refused with 409 MissingParameter naming image",
        &[MEETS_MISSING_PARAMETER, READS_BACK, &[Deviation::LenientBase64]],
    ),
    (
        "INPUT-DATA-URI-TRUNCATED",
        UriDefect::Truncated,
        "valid base64 of truncated image bytes is refused with 409 MissingParameter naming image",
        &[READS_BACK, &[Deviation::AcceptTruncatedImage]],
    ),
];

/// Fixed bodies refused with 409 MissingParameter naming a field, a row each: id, field, statement, and
/// the bodies (given the fixture face's data URI). The registration is read back after the last.
type Bodies = fn(&str) -> Vec<Value>;
/// The missing or mistyped fields, a row each, with the claim of the Params table each checks.
const MISSING: [(&str, &str, &str, Bodies, &str); 4] = [
    (
        "INPUT-DATA-URI-EMPTY",
        "image",
        "an empty image string is refused with 409 MissingParameter naming image",
        |_| vec![json!({"image": "", "os": Os::Ios}), json!({"image": "data:image/jpeg;base64,", "os": Os::Ios})],
        "PARAM-IMAGE-DATA-URI",
    ),
    (
        "INPUT-IMAGE-MISSING",
        "image",
        "a body without image (or image: null) is refused with 409 MissingParameter naming image",
        |_| vec![json!({"os": Os::Ios}), json!({"image": null, "os": Os::Ios})],
        "PARAM-IMAGE-REQUIRED",
    ),
    (
        "INPUT-IMAGE-WRONG-TYPE",
        "image",
        "an image that is not a string is refused with 409 MissingParameter naming image",
        |_| {
            [json!(7), json!(true), json!(["data:image/jpeg;base64,/9j/"]), json!({"data": "x"})]
                .into_iter()
                .map(|image| json!({"image": image, "os": Os::Ios}))
                .collect()
        },
        "PARAM-IMAGE-TYPE",
    ),
    (
        "INPUT-OS-MISSING",
        "os",
        "a body without os is refused with 409 MissingParameter naming os",
        |image| vec![json!({"image": image})],
        "PARAM-OS-REQUIRED",
    ),
];

pub(crate) fn behaviours() -> Vec<Behaviour> {
    let mut v: Vec<Behaviour> = URI_DEFECTS
        .into_iter()
        .map(|(id, uri_defect, statement, broken_by)| {
            // The lenient decoder translates the URL-safe alphabet in the whole URI before its header is
            // read, so a refusal that quotes the media type or a parameter quotes `+` for `-`: the
            // answer changes (a `diff` sees it) and is still the refusal these rows ask for.
            let quotes_header = matches!(uri_defect, UriDefect::MediaType | UriDefect::NoBase64Marker);
            let changed: &[Deviation] = if quotes_header { &[Deviation::LenientBase64] } else { &[] };
            Behaviour::new(Family::Input, id, statement, PARAMS, move |p| defect(p, uri_defect))
                .claims(&["PARAM-IMAGE-DATA-URI"])
                .broken_by(broken_by)
                .changed_by(&[changed])
                .property()
                .needs(REGISTRATION)
        })
        .collect();
    v.extend(MISSING.into_iter().map(|(id, field, statement, bodies, claim)| {
        let requests = u32::try_from(bodies("").len()).unwrap_or(u32::MAX).saturating_add(1);
        Behaviour::new(Family::Input, id, statement, PARAMS, move |p| missing(p, field, bodies))
            .claims(&[claim])
            .broken_by(&[MEETS_MISSING_PARAMETER, READS_BACK])
            .needs(REGISTRATION)
            .cost(requests, 0)
    }));
    v.extend([
        Behaviour::new(
            Family::Input,
            "INPUT-DATA-URI-VALID",
            "every valid data URI of the face (JPEG with metadata, JPEG without, PNG), with each os, with force true, false or absent, answers 200",
            PARAMS,
            valid_uris,
        )
        .claims(&["PARAM-IMAGE-TYPE", "PARAM-IMAGE-DATA-URI", "PARAM-FORCE-TYPE", "PARAM-FORCE-OPTIONAL", "PARAM-OS-VALUES"])
        .broken_by(&[MEETS_200, &[Deviation::IgnoreForce, Deviation::CrashOnAndroid, Deviation::ReuseValidationId]])
        .documented()
        .property()
        .needs(&[Capability::SetUp])
        .cost(1, 1),
        Behaviour::new(
            Family::Input,
            "INPUT-DATA-URI-NO-FACE",
            "a valid image with no face answers 409 liveness_failed@ERR_NO_FACE_DETECTED with failureKind quality",
            PARAMS,
            no_face,
        )
        .claims(&["PARAM-IMAGE-FACE"])
        .broken_by(&[READS_BACK, &[Deviation::CrashOnAndroid]])
        .needs(REGISTRATION)
        .cost(3, 0),
        Behaviour::new(
            Family::Input,
            "INPUT-DATA-URI-OVERSIZED",
            "a body over the size limit (11 MiB) is refused with 413 and a JSON body, never a 5xx or a dropped connection",
            PARAMS,
            oversized,
        )
        .claims(&["PARAM-IMAGE-DATA-URI"])
        .broken_by(&[READS_BACK, &[Deviation::NoBodyLimit]])
        .needs(REGISTRATION)
        .cost(2, 0),
        Behaviour::new(
            Family::Input,
            "INPUT-OS-INVALID",
            "an os outside DESKTOP, IOS, ANDROID (other case, other word, other JSON type) is refused with 409 MissingParameter naming os",
            PARAMS,
            os_invalid,
        )
        .claims(&["PARAM-OS-VALUES", "PARAM-OS-TYPE"])
        .broken_by(&[MEETS_MISSING_PARAMETER, READS_BACK, &[Deviation::AcceptLowercaseOs]])
        .property()
        .needs(REGISTRATION),
        Behaviour::new(
            Family::Input,
            "INPUT-FORCE-WRONG-TYPE",
            "a force that is not a boolean is refused with 409 MissingParameter naming force",
            PARAMS,
            force_wrong_type,
        )
        .claims(&["PARAM-FORCE-TYPE"])
        .broken_by(&[MEETS_MISSING_PARAMETER, READS_BACK])
        .property()
        .needs(REGISTRATION),
        Behaviour::new(
            Family::Input,
            "INPUT-EXTRA-FIELDS",
            "unknown fields next to a valid image and os are ignored: 200",
            PARAMS,
            extra_fields,
        )
        .claims(&["SAMPLE-REQUEST-ACCEPTED"])
        .broken_by(&[MEETS_200])
        .needs(REGISTRATION)
        .cost(2, 1),
        Behaviour::new(
            Family::Input,
            "INPUT-DUPLICATE-FIELDS",
            "a JSON object that repeats os is refused with 409 MissingParameter naming os",
            PARAMS,
            duplicate_fields,
        )
        .claims(&["PARAM-OS-REQUIRED"])
        .broken_by(&[MEETS_MISSING_PARAMETER, READS_BACK])
        .needs(REGISTRATION)
        .cost(2, 0),
        Behaviour::new(
            Family::Input,
            "INPUT-NOT-JSON",
            "a body that is not JSON is refused with 400 and a JSON error body",
            PARAMS,
            not_json,
        )
        .claims(&["HEADER-CONTENT-TYPE"])
        .broken_by(&[READS_BACK, &[Deviation::NotJsonAsEmpty]])
        .property()
        .needs(REGISTRATION),
        Behaviour::new(
            Family::Input,
            "INPUT-NOT-OBJECT",
            "JSON that is not an object ([], \"x\", 1, null) is refused with 409 MissingParameter",
            PARAMS,
            not_object,
        )
        .claims(&["HEADER-CONTENT-TYPE"])
        .broken_by(&[MEETS_MISSING_PARAMETER])
        .needs(REGISTRATION)
        .cost(5, 0),
        Behaviour::new(
            Family::Input,
            "INPUT-WRONG-CONTENT-TYPE",
            "a valid JSON body sent as text/plain, form data or with no content type is refused with 415",
            PARAMS,
            wrong_content_type,
        )
        .claims(&["HEADER-CONTENT-TYPE"])
        .broken_by(&[READS_BACK, &[Deviation::IgnoreContentType]])
        .needs(REGISTRATION)
        .cost(4, 0),
    ]);
    v
}

fn valid_uris(p: &mut Probe<'_>) -> Result<(), Stop> {
    // The shared registration already has a person, so every `force: true` case exercises the override;
    // each of those cases charges it.
    let reg = p.provision_for_cases(&StateParams { person_set: true, ..StateParams::default() })?;
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
        let x = case.send(&Call::post(CENTRAL_PATH, body).bearer(&token))?;
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
            let call =
                Call::post(CENTRAL_PATH, json!({"image": m.text, "os": Os::Desktop, "force": true})).bearer(&token);
            refused_case(case, &call, |x| oracle::missing_parameter_naming(x, "image"))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

/// A row of `MISSING`: each body refused (documented) with MissingParameter naming `field`
/// (inferred), and nothing created.
fn missing(p: &mut Probe<'_>, field: &str, bodies: Bodies) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let image = p.ctx.fixtures.face_jpeg_uri().to_owned();
    for body in bodies(&image) {
        let x = p.central_as(&reg.token, body)?;
        p.check_documented(oracle::refused(&x), Some(&x));
        p.check(oracle::missing_parameter_naming(&x, field), Some(&x));
    }
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

fn os_invalid(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let (token, image) = (reg.token.clone(), p.ctx.fixtures.face_jpeg_uri().to_owned());
    p.property(
        generate::invalid_os(),
        |os| format!("os = {os:?}"),
        |case, os| {
            let call = Call::post(CENTRAL_PATH, json!({"image": image, "os": os.0})).bearer(&token);
            refused_case(case, &call, |x| oracle::missing_parameter_naming(x, "os"))
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn force_wrong_type(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = fresh(p)?;
    let (token, image) = (reg.token.clone(), p.ctx.fixtures.face_jpeg_uri().to_owned());
    p.property(
        generate::invalid_force(),
        |f| format!("force = {f:?}"),
        |case, force| {
            let call =
                Call::post(CENTRAL_PATH, json!({"image": image, "os": Os::Ios, "force": force.0})).bearer(&token);
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
