//! Generated inputs (proptest strategies). Malformed values are built as a valid value plus one
//! targeted defect, so every case is invalid by construction and shrinks towards a readable minimum.
//! Every value renders through `Debug` without image bytes or token signatures.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Value, json};

use super::fixtures::Image;
use crate::api::{DataUri, ImageMediaType, Os};
use crate::target::redact;

/// The classes of malformed data URI the catalogue has one behaviour each for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UriDefect {
    /// Wrong scheme, or the right one in the wrong case, or none at all.
    Scheme,
    /// Missing, unknown or upper-case media type.
    MediaType,
    /// `image/png` on JPEG bytes and the reverse.
    LabelMismatch,
    /// No `;base64` marker.
    NoBase64Marker,
    /// The URL-safe alphabet (`-`, `_`) in the payload.
    UrlSafe,
    /// Missing, stray or extra `=`.
    Padding,
    /// Whitespace inside the payload.
    Whitespace,
    /// Valid base64 of truncated image bytes.
    Truncated,
}

/// A generated `image` value and what was done to it.
#[derive(Clone)]
pub(crate) struct Malformed {
    pub text: String,
    pub how: String,
}

impl fmt::Debug for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.how, redact::image(&self.text))
    }
}

fn base64_of(image: &Image) -> String {
    STANDARD.encode(&image.uri.bytes)
}

/// Positions in `s` whose character satisfies `pred`.
fn positions(s: &str, pred: impl Fn(char) -> bool) -> Vec<usize> {
    s.char_indices().filter(|(_, c)| pred(*c)).map(|(i, _)| i).collect()
}

pub(crate) fn malformed_uri(defect: UriDefect, faces: Vec<Image>) -> BoxedStrategy<Malformed> {
    let face = select(faces);
    match defect {
        UriDefect::Scheme => (face, select(vec!["DATA:", "Data:", "date:", "data;", "data//", "", "urn:data:"]))
            .prop_map(|(img, scheme)| {
                let t = img.data_uri();
                let text = match scheme {
                    "" => base64_of(&img),
                    s => format!("{s}{}", &t["data:".len()..]),
                };
                Malformed { text, how: format!("{} with scheme {scheme:?}", img.name) }
            })
            .boxed(),
        UriDefect::MediaType => (
            face,
            select(vec![
                "",
                "image/gif",
                "text/plain",
                "IMAGE/JPEG",
                "image/jpg",
                "application/octet-stream",
                "image/",
            ]),
        )
            .prop_map(|(img, media)| Malformed {
                text: format!("data:{media};base64,{}", base64_of(&img)),
                how: format!("{} labelled {media:?}", img.name),
            })
            .boxed(),
        UriDefect::LabelMismatch => face
            .prop_map(|img| {
                let wrong = match img.uri.media_type {
                    ImageMediaType::Jpeg => ImageMediaType::Png,
                    ImageMediaType::Png => ImageMediaType::Jpeg,
                };
                Malformed {
                    text: DataUri::new(wrong, img.uri.bytes.clone()).encode(),
                    how: format!("{} labelled {wrong}", img.name),
                }
            })
            .boxed(),
        UriDefect::NoBase64Marker => (face, select(vec!["", ";charset=utf-8", ";base32", ";BASE64"]))
            .prop_map(|(img, param)| Malformed {
                text: format!("data:{}{param},{}", img.uri.media_type, base64_of(&img)),
                how: format!("{} with parameters {param:?} instead of \";base64\"", img.name),
            })
            .boxed(),
        UriDefect::UrlSafe => (face, any::<Index>())
            .prop_map(|(img, at)| {
                let mut t = img.data_uri().to_owned();
                let head = t.find(',').map_or(0, |i| i + 1);
                let spots: Vec<usize> =
                    positions(&t[head..], |c| c == '+' || c == '/').into_iter().map(|p| p + head).collect();
                let pos = spots[at.index(spots.len().max(1)).min(spots.len().saturating_sub(1))];
                let replacement = if &t[pos..=pos] == "+" { "-" } else { "_" };
                t.replace_range(pos..=pos, replacement);
                Malformed { text: t, how: format!("{} with {replacement:?} at offset {pos}", img.name) }
            })
            .boxed(),
        UriDefect::Padding => (face, any::<Index>(), 0..3usize)
            .prop_map(|(img, at, kind)| {
                let t = img.data_uri().to_owned();
                let head = t.find(',').map_or(0, |i| i + 1);
                let body = &t[head..];
                let (text, how) = match kind {
                    0 if body.ends_with('=') => (t.trim_end_matches('=').to_owned(), "padding removed".to_owned()),
                    0 | 1 => (format!("{t}="), "an extra '=' appended".to_owned()),
                    _ => {
                        // A stray '=' at a quad boundary before the last quad.
                        let quads = (body.len() / 4).saturating_sub(1).max(1);
                        let pos = head + 4 * at.index(quads);
                        let mut s = t.clone();
                        s.insert_str(pos, "====");
                        (s, format!("a stray \"====\" at offset {pos}"))
                    }
                };
                Malformed { text, how: format!("{} with {how}", img.name) }
            })
            .boxed(),
        UriDefect::Whitespace => (face, any::<Index>(), select(vec![" ", "\n", "\t", "\r\n"]))
            .prop_map(|(img, at, ws)| {
                let mut t = img.data_uri().to_owned();
                let head = t.find(',').map_or(0, |i| i + 1);
                let pos = head + 1 + at.index(t.len() - head - 1);
                t.insert_str(pos, ws);
                Malformed { text: t, how: format!("{} with {ws:?} at offset {pos}", img.name) }
            })
            .boxed(),
        UriDefect::Truncated => (face, any::<Index>())
            .prop_map(|(img, at)| {
                let keep = 16 + at.index(img.uri.bytes.len() / 2);
                let text = DataUri::new(img.uri.media_type, img.uri.bytes[..keep].to_vec()).encode();
                Malformed { text, how: format!("{} truncated to {keep} of {} bytes", img.name, img.uri.bytes.len()) }
            })
            .boxed(),
    }
}

/// A JSON value, as generated for wrongly typed fields.
#[derive(Clone)]
pub(crate) struct Shown(pub Value);

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// `os` values that are not one of the three documented ones: case variants, other words, other types.
pub(crate) fn invalid_os() -> impl Strategy<Value = Shown> {
    let case_variant =
        (select(Os::ALL.to_vec()), any::<u16>()).prop_filter_map("must differ from the valid value", |(os, mask)| {
            let s: String = os
                .as_str()
                .chars()
                .enumerate()
                .map(|(i, c)| if mask & (1 << i) != 0 { c.to_ascii_lowercase() } else { c })
                .collect();
            (s != os.as_str()).then(|| json!(s))
        });
    let word =
        "[A-Za-z_ ]{0,12}".prop_filter_map("must not be valid", |s| (s.parse::<Os>().is_err()).then(|| json!(s)));
    let padded = select(Os::ALL.to_vec()).prop_map(|os| json!(format!(" {os}")));
    prop_oneof![case_variant, word, padded, wrong_type_not(&["string"])].prop_map(Shown)
}

/// `force` values that are not booleans (null counts as absent, so it is excluded).
pub(crate) fn invalid_force() -> impl Strategy<Value = Shown> {
    prop_oneof![wrong_type_not(&["boolean"]), select(vec!["true", "false", "1", ""]).prop_map(|s| json!(s))]
        .prop_map(Shown)
}

/// JSON values whose type is none of `allowed`, and never null.
fn wrong_type_not(allowed: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(|b| json!(b)),
        "[a-z]{0,6}".prop_map(|s| json!(s)),
        prop::collection::vec(any::<u8>(), 0..3).prop_map(|v| json!(v)),
        "[a-z]{1,4}".prop_map(|k| json!({ k: 1 })),
    ]
    .prop_filter("type must be wrong", move |v| {
        let t = match v {
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            _ => "object",
        };
        !allowed.contains(&t)
    })
    .boxed()
}

/// Bodies that are not JSON at all.
pub(crate) fn not_json() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..64),
        "[ -~]{1,40}".prop_map(String::into_bytes),
        Just(b"{\"image\": \"data:image/jpeg;base64,",).prop_map(|b| b.to_vec()),
    ]
    .prop_filter("must not parse as JSON", |b| serde_json::from_slice::<serde::de::IgnoredAny>(b).is_err())
}

/// Garbage bearer tokens: never a valid JWT.
pub(crate) fn garbage_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9]{1,40}",
        "[A-Za-z0-9_-]{1,20}\\.[A-Za-z0-9_-]{1,20}\\.[A-Za-z0-9_-]{0,20}",
        "eyJ[A-Za-z0-9_-]{0,40}"
    ]
}

/// One character of a valid token changed: (segment, index within it, replacement).
#[derive(Clone)]
pub(crate) struct Tampered {
    pub token: String,
    pub how: String,
}

impl fmt::Debug for Tampered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.how, redact::token(&self.token))
    }
}

pub(crate) fn tampered(token: String) -> impl Strategy<Value = Tampered> {
    (
        0..3usize,
        any::<Index>(),
        select("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().collect::<Vec<_>>()),
    )
        .prop_filter_map("the token must change", move |(segment, at, c)| {
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let part = parts.get_mut(segment)?;
            if part.is_empty() {
                return None;
            }
            let i = at.index(part.len());
            if part[i..].starts_with(c) {
                return None;
            }
            part.replace_range(i..i + 1, &c.to_string());
            let name = ["header", "claims", "signature"][segment];
            Some(Tampered { token: parts.join("."), how: format!("{name} character {i} changed to {c:?}") })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::fixtures::Fixtures;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn every_malformed_value_is_rejected_by_the_strict_parser_or_the_decoder() {
        let faces = Fixtures::load().faces();
        let mut runner = TestRunner::deterministic();
        for defect in [
            UriDefect::Scheme,
            UriDefect::MediaType,
            UriDefect::NoBase64Marker,
            UriDefect::UrlSafe,
            UriDefect::Padding,
            UriDefect::Whitespace,
        ] {
            let s = malformed_uri(defect, faces.clone());
            for _ in 0..40 {
                let v = s.new_tree(&mut runner).expect("value").current();
                assert!(DataUri::parse(&v.text).is_err(), "{defect:?}: {v:?}");
                assert!(!format!("{v:?}").contains("/9j/4AAQ"), "debug output shows no image data");
            }
        }
        for defect in [UriDefect::LabelMismatch, UriDefect::Truncated] {
            let s = malformed_uri(defect, faces.clone());
            for _ in 0..20 {
                let v = s.new_tree(&mut runner).expect("value").current();
                let uri = DataUri::parse(&v.text).expect("syntactically valid");
                assert!(crate::emulator::liveness::decode(&uri).is_err(), "{defect:?}: {v:?}");
            }
        }
    }

    #[test]
    fn invalid_os_and_force_are_never_valid() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let os = invalid_os().new_tree(&mut runner).expect("value").current().0;
            assert!(os.as_str().is_none_or(|s| s.parse::<Os>().is_err()), "{os}");
            let force = invalid_force().new_tree(&mut runner).expect("value").current().0;
            assert!(!force.is_boolean() && !force.is_null(), "{force}");
        }
    }
}
