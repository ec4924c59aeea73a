//! The privacy oracle: no response carries back a credential or biometric data that its own request
//! sent, i.e. the request's bearer token, or any 64-character run of the submitted image's base64.
//! Newly issued tokens on the set-up routes are their documented payload and are exempt by name.
//! A finding is documented-strength everywhere: it is a data leak, not a style choice.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::{Check, Finding};
use crate::target::secret_forms::credential_forms;
use crate::target::shared_run;
use crate::target::{Call, Exchange, PROVIDER_STATES};

/// The length of a run of image base64 that counts as carrying the image back.
pub(crate) const IMAGE_RUN: usize = 64;

/// Credentials shorter than this are not looked for: a generated one-character "token" would match
/// any response.
const MIN_CREDENTIAL: usize = 16;

/// Response fields that are a route's documented payload of a newly issued credential.
/// (`{id}` stands for one path segment; the sync route's `data.token` is the login token it documents,
/// which may equal the request's own when minted in the same second.)
const ISSUED: &[(&str, &str)] = &[
    ("/v2/app-registrations", "/data/token"),
    ("/v2/app-registrations/{id}/sync", "/data/token"),
    (PROVIDER_STATES, "/data/token"),
    (PROVIDER_STATES, "/data/clientToken"),
];

/// The strings of a response, each with its JSON Pointer (keys are included: a key can leak too).
fn strings<'a>(v: &'a Value, pointer: String, out: &mut Vec<(String, Cow<'a, str>)>) {
    match v {
        Value::String(s) => out.push((pointer, Cow::Borrowed(s))),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, item)| strings(item, format!("{pointer}/{i}"), out)),
        Value::Object(m) => {
            for (k, item) in m {
                let at = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push((at.clone(), Cow::Borrowed(k)));
                strings(item, at, out);
            }
        }
        _ => {}
    }
}

/// Every part of an answer a secret could come back in: the strings of its JSON body at any depth
/// (keys too), a body that is not JSON, and every header; each also URL-decoded and with `\/`
/// unescaped where it has them, since either splits a run of image base64. Fields a route documents
/// as a newly issued credential are left out.
fn parts<'a>(call: &Call, x: &'a Exchange) -> Vec<(String, Cow<'a, str>)> {
    let mut found = Vec::new();
    if let Some(body) = &x.body {
        strings(body, String::new(), &mut found);
    }
    if let Some(text) = &x.text {
        found.push(("(the body)".to_owned(), Cow::Borrowed(text.as_str())));
    }
    for (name, value) in &x.headers {
        found.push((format!("header {name}"), Cow::Borrowed(value.as_str())));
    }
    let path = call.path.split('?').next().unwrap_or_default();
    let on = |route: &str| {
        route.split('/').count() == path.split('/').count()
            && route.split('/').zip(path.split('/')).all(|(r, p)| r == p || r == "{id}")
    };
    found.retain(|(pointer, _)| !ISSUED.iter().any(|(route, field)| on(route) && *field == pointer.as_str()));
    let decoded: Vec<(String, Cow<'a, str>)> = found
        .iter()
        .flat_map(|(at, s)| {
            let url = s.contains('%').then(|| {
                (format!("{at} (URL-decoded)"), Cow::Owned(percent_decode_str(s).decode_utf8_lossy().into_owned()))
            });
            let escaped = s.contains("\\/").then(|| (format!("{at} (unescaped)"), Cow::Owned(s.replace("\\/", "/"))));
            url.into_iter().chain(escaped)
        })
        .collect();
    found.extend(decoded);
    found
}

/// What the request sent that must not come back: its credential (as it was, or in a form it takes
/// JSON-escaped, URL-encoded or inside base64) and its image payload. Every part of the answer is
/// searched in one pass per form, joined by a byte no secret holds, so that an answer of a megabyte
/// costs a sampled pass and not one full scan per string.
pub(crate) fn check(call: &Call, x: &Exchange) -> Option<Finding> {
    let credential = call.credential().filter(|c| c.len() >= MIN_CREDENTIAL);
    let image = call.image();
    let payload = image.as_deref().map(|i| i.split_once(',').map_or(i, |(_, data)| data));
    let payload = payload.filter(|p| p.len() >= IMAGE_RUN);
    if credential.is_none() && payload.is_none() {
        return None;
    }
    let found = parts(call, x);
    let mut haystack = Vec::with_capacity(found.iter().map(|(_, s)| s.len() + 1).sum());
    let mut starts = Vec::with_capacity(found.len());
    for (_, s) in &found {
        starts.push(haystack.len());
        haystack.extend_from_slice(s.as_bytes());
        haystack.push(0);
    }
    let at = |offset: usize| {
        let i = starts.partition_point(|s| *s <= offset).saturating_sub(1);
        match found.get(i).map(|(pointer, _)| pointer.as_str()) {
            None | Some("") => "/".to_owned(),
            Some(pointer) => pointer.to_owned(),
        }
    };
    if let Some(c) = credential {
        // Each form is searched for whole: a run of it shorter than itself is no credential.
        for (form, how) in credential_forms(c) {
            if let Some(hit) = memchr::memmem::find(&haystack, form.as_bytes()) {
                return Some(Finding::new(
                    Check::Privacy,
                    format!("the response carries back the request's bearer token{how} at {}", at(hit)),
                ));
            }
        }
    }
    let payload = payload?.as_bytes();
    let hit = if payload.len() <= haystack.len() {
        // Most requests of a run submit one of a few images: each is indexed once per thread, not once
        // per answer.
        thread_local! {
            static LAST: std::cell::RefCell<Option<std::rc::Rc<shared_run::Index>>> = const { std::cell::RefCell::new(None) };
        }
        let index = LAST.with(|last| {
            let mut last = last.borrow_mut();
            match last.as_ref() {
                Some(index) if index.text() == payload => index.clone(),
                _ => last.insert(std::rc::Rc::new(shared_run::Index::new(payload))).clone(),
            }
        });
        shared_run::find_indexed(&haystack, &index, IMAGE_RUN)?
    } else {
        shared_run::find(&haystack, payload, IMAGE_RUN)?
    };
    Some(Finding::new(
        Check::Privacy,
        format!(
            "the response carries back {IMAGE_RUN} or more characters of the submitted image's base64 at {}",
            at(hit.in_a)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::oracle::tests::exchange;
    use serde_json::json;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBSZWdpc3RyYXRpb25JZCI6IngifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn finds_echoed_tokens_and_images_and_exempts_issued_tokens() {
        let image = format!("data:image/jpeg;base64,{}", "QUJD".repeat(100));
        let call = Call::post(crate::api::CENTRAL_PATH, json!({"image": image, "os": "IOS"})).bearer(TOKEN);
        let clean = exchange(409, json!({"code": "MissingParameter", "message": "\"os\" is required"}));
        assert_eq!(check(&call, &clean), None);
        let echo =
            exchange(409, json!({"code": "MissingParameter", "message": format!("bad request by Bearer {TOKEN}")}));
        let f = check(&call, &echo).expect("token echo found");
        assert!(f.message.peek().ends_with("at /message") && !f.message.peek().contains(TOKEN), "{}", f.message.peek());
        let selfie = exchange(200, json!({"data": {"person": {"_id": "p", "selfie": "QUJD".repeat(16)}}}));
        assert!(check(&call, &selfie).is_some_and(|f| f.message.peek().ends_with("at /data/person/selfie")));
        let issued = Call::post("/v2/app-registrations", json!({})).bearer(TOKEN);
        assert_eq!(check(&issued, &exchange(200, json!({"data": {"token": TOKEN}}))), None);
        assert!(check(&issued, &exchange(200, json!({"data": {"note": TOKEN}}))).is_some());
        let sync = Call::post("/v2/app-registrations/6b0800000000000000000001/sync", json!({})).bearer(TOKEN);
        assert_eq!(check(&sync, &exchange(200, json!({"data": {"token": TOKEN}}))), None);
        assert!(check(&sync, &exchange(200, json!({"data": {"login": TOKEN}}))).is_some());
        // A header, a URL-encoded echo and one inside base64 are leaks as much as a field.
        let mut header = exchange(404, json!({"code": "x"}));
        header.headers.push(("x-debug-authorization".into(), format!("Bearer {TOKEN}")));
        assert!(check(&call, &header).is_some_and(|f| f.message.peek().ends_with("at header x-debug-authorization")));
        let encoded: String = form_urlencoded::byte_serialize(format!("Bearer {TOKEN}").as_bytes()).collect();
        let f = check(&call, &exchange(409, json!({"code": "x", "next": format!("/login?auth={encoded}")})));
        assert!(f.is_some_and(|f| f.message.peek().contains("at /next")), "URL-encoded");
        let wrapped = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("auth:{TOKEN};"));
        let f = check(&call, &exchange(409, json!({"code": "x", "trace": wrapped})));
        assert!(f.is_some_and(|f| f.message.peek().contains("inside base64 at /trace")), "inside base64");
        let mut quoted = exchange(409, json!({"code": "X", "message": "bad vkc_0123456789"}));
        quoted.sent_credential = Some("vkc_0123456789".into());
        assert!(!quoted.summary().peek().contains("vkc_0123456789"), "{:?}", quoted.summary());
        let tiny = Call::post("/x", json!({})).bearer("a");
        assert_eq!(check(&tiny, &exchange(401, json!({"message": "a"}))), None);
    }
}
