//! The run's redactor: every text bound for a terminal or a file passes through `scrub` last, whatever
//! built it, so a target that hands a credential back cannot have it copied into a report, a log or a
//! CI console. It knows the secrets the run handled (the client token, registration tokens handed in
//! or issued, every credential a request presented, the base64 of every submitted image), and finds
//! credential-shaped values it was never told of (a compact JWS, the client-token format, the value
//! after `Bearer`). A credential is replaced by its kind, its decoded header and claims where it has
//! them (never the signature) and a short digest; a run of image base64 by its length and digest.
//! Replacements use no character that JSON, HTML, XML or a single-quoted shell word escapes, so a whole
//! serialised artefact can be scrubbed without breaking its format.
//!
//! One per process: a process runs one run, and tests that run several in one process only redact
//! more than they must.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, LazyLock, RwLock};

use regex::Regex;

use super::secret_forms::{credential_forms, shown_credential};
use crate::api::short_digest;

/// Secrets shorter than this are not looked for: replacing every `demo` in a report helps nobody.
const MIN_SECRET: usize = 8;
/// A run of a submitted image's base64 this long counts as the image (as in the privacy oracle).
const IMAGE_RUN: usize = 64;
/// A run of base64 this long is shown by its length and digest whatever it encodes: no face fits in
/// less, and nobody reads such a run in a report.
const LONG_BASE64: usize = 1024;
/// An image is kept as a print: the 8-character stretches of its base64 at every 57th position. Any
/// run of 64 characters of the image holds one of them whole, so a quote of 64 or more is found by its
/// stretches alone, without a copy of every submitted image (docs/checks.md has the figures).
const GRAM: usize = 8;
const STRIDE: usize = IMAGE_RUN - GRAM + 1;
/// How many stretches the redactor keeps, the most recently submitted images' first (8 MiB, the prints
/// of about 57 MiB of image text): a deep run submits tens of thousands of generated variants. An image
/// evicted is still caught as a long base64 run; only a short quote of it is not.
const KEPT_GRAMS: usize = 1 << 20;

/// Compact JWS (`eyJ` is the base64url of `{"`), the client-token format, and a bearer value.
static PATTERNS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        Regex::new(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*").expect("JWS pattern"),
        Regex::new(r"vkc_[A-Za-z0-9]{8,}").expect("client-token pattern"),
        // A value of 16 or more token characters with a digit in it: "Bearer credential" in prose is
        // not a secret, and learning it as one would blank the word everywhere.
        Regex::new(r"(?i-u)\bbearer\s+([A-Za-z._~+/=-]*[0-9][A-Za-z0-9._~+/=-]*)").expect("bearer pattern"),
    ]
});

static REDACTOR: LazyLock<Redactor> = LazyLock::new(Redactor::default);

/// The process's redactor.
pub fn redactor() -> &'static Redactor {
    &REDACTOR
}

#[derive(Default)]
pub struct Redactor {
    known: RwLock<Known>,
}

/// A form a secret takes in text, and what replaces it.
type Form = (Box<str>, Arc<str>);

#[derive(Default)]
struct Known {
    /// Every known form, by its first 8 bytes: a scrub looks up the stretch at each position of the
    /// text, so a run that learns a token with every set-up adds to the index and never rebuilds it.
    /// (An automaton over all forms, rebuilt as they grew, sat at the end of every run.)
    forms: std::collections::HashMap<u64, Vec<Form>>,
    /// One bit per hashed first stretch, so that most positions of a text cost no map lookup.
    filter: Vec<u64>,
    /// Prints of submitted images, the most recently submitted last, each sorted on first use (a
    /// sort per request is a cost every run would pay), and how many stretches they hold.
    images: std::collections::VecDeque<KeptImage>,
    image_grams: usize,
}

/// An image's print, its stretches in submission order folded into one number (sorting changes the
/// print, not this), and whether the print is sorted yet.
struct KeptImage {
    key: (usize, u64),
    print: Arc<[u64]>,
    sorted: bool,
}

/// Bits in the first-stretch filter.
const FILTER_BITS: usize = 1 << 16;

fn filter_bit(gram: u64) -> usize {
    (gram.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
}

impl Known {
    fn holds(&self, form: &str) -> bool {
        gram(form.as_bytes())
            .and_then(|g| self.forms.get(&g))
            .is_some_and(|forms| forms.iter().any(|(f, _)| **f == *form))
    }

    /// The longest known form that starts at `at` in `text`, if any.
    fn form_at(&self, text: &[u8], at: usize) -> Option<&Form> {
        let g = gram(&text[at..])?;
        let bit = filter_bit(g);
        if self.filter.get(bit / 64).is_none_or(|word| word & (1 << (bit % 64)) == 0) {
            return None;
        }
        self.forms.get(&g)?.iter().filter(|(f, _)| text[at..].starts_with(f.as_bytes())).max_by_key(|(f, _)| f.len())
    }
}

impl Redactor {
    /// A credential the run handled or saw: the token itself, the forms it takes JSON-escaped, URL-
    /// encoded or inside base64, and a JWS's signature segment on its own.
    pub fn credential(&self, token: &str) {
        let token = token.trim();
        if token.len() < MIN_SECRET || self.known.read().unwrap_or_else(|p| p.into_inner()).holds(token) {
            return;
        }
        let shown: Arc<str> = Arc::from(shown_credential(token));
        let mut forms: Vec<String> = credential_forms(token).into_iter().map(|(form, _)| form).collect();
        if let [_, _, signature] = token.split('.').collect::<Vec<_>>().as_slice()
            && signature.len() >= 16
        {
            forms.push((*signature).to_owned());
        }
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if known.filter.is_empty() {
            known.filter = vec![0; FILTER_BITS / 64];
        }
        for form in forms.into_iter().filter(|f| f.len() >= MIN_SECRET) {
            let Some(g) = gram(form.as_bytes()) else { continue };
            if !known.holds(&form) {
                let bit = filter_bit(g);
                known.filter[bit / 64] |= 1 << (bit % 64);
                known.forms.entry(g).or_default().push((form.into_boxed_str(), shown.clone()));
            }
        }
    }

    /// A submitted image (a data URI or its payload): any run of 64 characters of its base64 is shown
    /// as the image.
    pub fn image(&self, text: &str) {
        let payload = text.split_once(',').map_or(text, |(_, data)| data);
        if payload.len() < IMAGE_RUN {
            return;
        }
        let print: Vec<u64> = payload.as_bytes().chunks(STRIDE).filter_map(gram).collect();
        let key =
            (print.len(), print.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, g| (h ^ g).wrapping_mul(0x0100_0000_01B3)));
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        let kept = match known.images.iter().position(|i| i.key == key) {
            Some(at) => known.images.remove(at),
            None => {
                known.image_grams += print.len();
                Some(KeptImage { key, print: Arc::from(print), sorted: false })
            }
        };
        known.images.extend(kept);
        while known.image_grams > KEPT_GRAMS && known.images.len() > 1 {
            let evicted = known.images.pop_front().map_or(0, |i| i.print.len());
            known.image_grams -= evicted;
        }
    }

    /// `text` with every secret the run knows, and every credential-shaped value, replaced.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        // Credentials the run was never told of are learnt first, so that their other forms (a JWS's
        // signature alone, its base64) are found in the same pass.
        for (i, pattern) in PATTERNS.iter().enumerate() {
            for m in pattern.captures_iter(text) {
                let found = if i == 2 { m.get(1) } else { m.get(0) };
                if let Some(found) = found.filter(|f| i != 2 || f.as_str().len() >= 16) {
                    self.credential(found.as_str());
                }
            }
        }
        let out = self.replace_forms(text);
        // Image base64 can only hide in a run of 64 or more base64 characters: each such run (rare in
        // anything but a leak) is looked up stretch by stretch in every kept print. A run that shares
        // only one 8-character stretch with an image is shown as one too: over-redacting base64 costs
        // a reader nothing.
        let runs = base64_runs(&out);
        if runs.is_empty() {
            return out;
        }
        let images = self.sorted_images();
        let mut text = String::with_capacity(out.len());
        let mut last = 0;
        for (start, end) in runs {
            let run = &out[start..end];
            if run.len() >= LONG_BASE64
                || run
                    .as_bytes()
                    .windows(GRAM)
                    .filter_map(gram)
                    .any(|g| images.iter().any(|i| i.binary_search(&g).is_ok()))
            {
                text.push_str(&out[last..start]);
                text.push_str(&format!("[image base64, {} chars, sha256 {}]", run.len(), short_digest(run.as_bytes())));
                last = end;
            }
        }
        if last == 0 {
            return out;
        }
        text.push_str(&out[last..]);
        Cow::Owned(text)
    }

    /// `text` with each known form replaced, leftmost first and the longest where several start at
    /// one place (a JWS holds its own signature).
    fn replace_forms<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        let bytes = text.as_bytes();
        let mut out = String::new();
        let (mut last, mut at) = (0, 0);
        while at + GRAM <= bytes.len() {
            match known.form_at(bytes, at) {
                Some((form, shown)) => {
                    out.push_str(&text[last..at]);
                    out.push_str(shown);
                    at += form.len();
                    last = at;
                }
                None => at += 1,
            }
        }
        if last == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// The kept prints, each sorted for lookup.
    fn sorted_images(&self) -> Vec<Arc<[u64]>> {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        for image in known.images.iter_mut().filter(|i| !i.sorted) {
            let mut grams = image.print.to_vec();
            grams.sort_unstable();
            image.print = Arc::from(grams);
            image.sorted = true;
        }
        known.images.iter().map(|i| i.print.clone()).collect()
    }
}

/// The stretch at the start of `bytes`, as a number.
fn gram(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..GRAM)?.try_into().ok()?))
}

/// The maximal runs of base64 characters (either alphabet) at least `IMAGE_RUN` long, as byte ranges.
fn base64_runs(text: &str) -> Vec<(usize, usize)> {
    let b64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_');
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.bytes().chain(std::iter::once(b' ')).enumerate() {
        match (b64(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= IMAGE_RUN {
                    runs.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// Writes an artefact (a report, a run file, a reproduction script) through the redactor. Every file
/// the program writes from what a run saw goes through here.
pub fn write_artefact(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let text = String::from_utf8_lossy(contents.as_ref());
    std::fs::write(path, redactor().scrub(&text).as_bytes())
}

/// Writes terminal text through the redactor; a closed stream is not an error worth a panic.
pub fn print_out(text: &str) {
    let _ = std::io::stdout().write_all(redactor().scrub(text).as_bytes());
}

/// `print_out` for standard error.
pub fn print_err(text: &str) {
    let _ = std::io::stderr().write_all(redactor().scrub(text).as_bytes());
}

/// Standard error through the redactor, for log lines: each write is one formatted event.
pub struct ScrubbedStderr;

impl std::io::Write for ScrubbedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(redactor().scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde_json::Value;

    const TOKEN: &str =
        "eyJhbGciOiJIUzI1NiJ9.eyJhcHBSZWdpc3RyYXRpb25JZCI6IngiLCJleHAiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZS14eXo";

    #[test]
    fn credentials_are_shown_by_kind_claims_and_digest_in_every_form() {
        let r = Redactor::default();
        r.credential(TOKEN);
        let signature = TOKEN.rsplit('.').next().unwrap_or_default();
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("token={TOKEN}"));
        let url: String = form_urlencoded::byte_serialize(format!("Bearer {TOKEN}").as_bytes()).collect();
        for text in [
            format!("message: {TOKEN} end"),
            format!("{{\"nested\":{{\"sig\":\"{signature}\"}}}}"),
            format!("echo {b64}"),
            format!("q={url}"),
        ] {
            let out = r.scrub(&text);
            assert!(!out.contains(TOKEN) && !out.contains(signature), "{text} -> {out}");
        }
        // A run learns hundreds of tokens: the first and the last are found alike, and a text with
        // none of them is handed back as it was.
        let many: Vec<String> = (0..300).map(|i| format!("vkc_{i:04}abcdefghijklmnop")).collect();
        many.iter().for_each(|t| r.credential(t));
        let out = r.scrub(&format!("{} and {}", many[0], many[299])).into_owned();
        assert!(out.starts_with("[credential, 24 chars, sha256 ") && !out.contains("vkc_"), "{out}");
        assert!(matches!(r.scrub("vkc_9999 is short and unknown"), Cow::Borrowed(_)));
        let shown = r.scrub(&format!("a {TOKEN} b")).into_owned();
        assert!(shown.contains("[JWT alg=HS256; appRegistrationId=x, exp=1; sha256 "), "{shown}");
        assert!(shown.starts_with("a [JWT") && shown.ends_with("] b"), "{shown}");
    }

    #[test]
    fn credential_shaped_values_are_found_without_being_told() {
        let r = Redactor::default();
        let other = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ5In0.";
        for text in [
            format!("forged {other} here"),
            "client vkc_0123456789abcdef0123 here".to_owned(),
            "Authorization: Bearer s3cr3t-opaque-value-42".to_owned(),
        ] {
            let out = r.scrub(&text);
            assert!(!out.contains(other) && !out.contains("vkc_0123") && !out.contains("s3cr3t"), "{out}");
        }
        assert_eq!(
            r.scrub("nothing secret, ids 6b0800000000000000000001"),
            "nothing secret, ids 6b0800000000000000000001"
        );
    }

    #[test]
    fn image_runs_are_replaced_whole_and_replacements_are_format_safe() {
        let r = Redactor::default();
        // Not periodic, so that each quote below is found by its own stretches.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let payload: String =
            (0..400u32).map(|i| char::from(alphabet[(i.wrapping_mul(2_654_435_761) >> 13) as usize % 64])).collect();
        r.image(&format!("data:image/jpeg;base64,{payload}"));
        // A quote of 64 characters is found wherever it starts in the image; 63 are not a quote.
        for start in 0..payload.len() - IMAGE_RUN {
            let quote = &payload[start..start + IMAGE_RUN];
            assert!(r.scrub(&format!("<{quote}>")).starts_with("<[image base64, 64 chars"), "at {start}");
        }
        assert!(r.scrub(&format!("<{}>", &payload[..63])).contains(&payload[..63]));
        let text = format!("{{\"selfie\":\"xx{}yy\"}}", &payload[100..200]);
        let out = r.scrub(&text);
        assert!(out.starts_with("{\"selfie\":\"[image base64, 104 chars, sha256 ") && out.ends_with("]\"}"), "{out}");
        let v: Value = serde_json::from_str(&out).expect("still JSON");
        assert!(v["selfie"].is_string());
        r.credential("eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiPHNjcmlwdD4nXCIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ");
        let out = r.scrub("<p>eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiPHNjcmlwdD4nXCIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ</p>");
        assert!(!out[3..out.len() - 4].contains(['<', '>', '"', '\'', '&', '\\']), "{out}");
    }
}
