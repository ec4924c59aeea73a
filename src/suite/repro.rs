//! Reproductions: a failure as the `curl` lines that make it happen again by hand. The set-up requests
//! come first, each answer that holds a credential or an id a later request uses is captured into a
//! shell variable (with `jq`), and the failing request comes last. The client token is
//! `$VERIFIK_CLIENT_TOKEN`, handed-in registration tokens `$VERIFIK_REGISTRATION_TOKEN_<n>`; a
//! credential the suite derived (tampered, expired, unsigned) cannot be written down without writing a
//! secret, so such a reproduction is marked *replay only*. A body that holds an image or a token is
//! written to a file only under `--repro-dir` (the one place face bytes may be written); otherwise the
//! line names the file it would be.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use crate::target::journal::Entry;
use crate::target::{Body, redact};

/// What a reproduction needs to know about the run, beyond the journal.
#[derive(Debug, Clone, Default)]
pub struct Reproducer {
    pub base_url: String,
    /// Known only to classify credentials; never written.
    pub client_token: Option<String>,
    pub registration_tokens: Vec<String>,
    /// `--repro-dir`: where bodies that cannot be shown inline are written.
    pub dir: Option<PathBuf>,
}

/// A failure as `curl` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reproduction {
    pub text: String,
    /// Some request presents a credential the suite derived: only `replay` can send it again.
    pub replay_only: bool,
}

/// Bodies up to this size that hold no secret are shown inline.
const INLINE_LIMIT: usize = 2048;
/// Path segments at least this long that an earlier answer carried are captured, not copied.
const ID_MIN_LEN: usize = 8;

/// Where a value a request uses came from: a shell variable, or nowhere the reader can follow (a
/// credential the suite derived, or an id it made up).
enum Source {
    Variable(String),
    Derived,
}

impl Reproducer {
    /// The reproduction of `entries` (in the order sent), the last of them the failing request; `name`
    /// names body files (`<name>-<step>.json`).
    pub(crate) fn render(&self, entries: &[Entry], name: &str) -> Option<Reproduction> {
        let last = entries.len().checked_sub(1)?;
        let mut captures: Vec<(usize, String, String)> = Vec::new(); // (entry, variable, jq path)
        let mut lines = Vec::new();
        let mut replay_only = false;
        let mut needs_file = false;
        for (i, e) in entries.iter().enumerate() {
            let mut source_of = |value: &str, prefix: &str| -> Source {
                if self.client_token.as_deref() == Some(value) {
                    return Source::Variable("VERIFIK_CLIENT_TOKEN".into());
                }
                if let Some(k) = self.registration_tokens.iter().position(|t| t == value) {
                    return Source::Variable(format!("VERIFIK_REGISTRATION_TOKEN_{}", k + 1));
                }
                for (j, earlier) in entries[..i].iter().enumerate().rev() {
                    if let Some(path) = earlier.response.as_ref().and_then(|r| find(r, value)) {
                        let existing = captures.iter().find(|(cj, _, p)| *cj == j && *p == path);
                        let var = match existing {
                            Some((_, v, _)) => v.clone(),
                            None => {
                                let v = format!("{prefix}{}", captures.len() + 1);
                                captures.push((j, v.clone(), path));
                                v
                            }
                        };
                        return Source::Variable(var);
                    }
                }
                Source::Derived
            };
            let mut args = vec![format!("-X {}", e.call.method)];
            let path: Vec<String> = e
                .call
                .path
                .split('/')
                .map(|seg| match seg.len() >= ID_MIN_LEN {
                    true => match source_of(seg, "ID") {
                        Source::Variable(v) => format!("${{{v}}}"),
                        Source::Derived => seg.to_owned(),
                    },
                    false => seg.to_owned(),
                })
                .collect();
            args.push(format!("\"$B{}\"", path.join("/")));
            if let Some(auth) = &e.call.authorization {
                let (scheme, credential) = match auth.split_once(' ') {
                    Some((s, c)) => (format!("{s} "), c.trim()),
                    None => (String::new(), auth.as_str()),
                };
                match source_of(credential, "TOKEN") {
                    Source::Variable(v) => args.push(format!("-H \"Authorization: {scheme}${v}\"")),
                    Source::Derived => {
                        replay_only = true;
                        args.push("-H 'Authorization: <a credential the suite derived: replay only>'".into());
                    }
                }
            }
            match &e.call.body {
                Body::None => {}
                Body::Json(v) => {
                    args.push("-H 'Content-Type: application/json'".into());
                    // Serialised only where it is shown or written: a body may hold an 11 MiB image.
                    let inline = (!redact::holds_secret(v)).then(|| v.to_string()).filter(|t| t.len() <= INLINE_LIMIT);
                    match inline {
                        Some(text) => args.push(format!("--data-binary {}", quote(&text))),
                        None => args.push(self.body_file(name, i, || v.to_string().into_bytes(), &mut needs_file)),
                    }
                }
                Body::Raw { bytes, content_type } => {
                    if let Some(ct) = content_type {
                        args.push(format!("-H {}", quote(&format!("Content-Type: {ct}"))));
                    }
                    args.push(self.body_file(name, i, || bytes.to_vec(), &mut needs_file));
                }
            }
            lines.push((i, args.join(" ")));
        }
        let mut text = String::from("reproduce by hand (bash, curl and jq; set VERIFIK_CLIENT_TOKEN first):\n");
        let _ = writeln!(text, "  B=\"${{VERIFIK_BASE_URL:-{}}}\"", self.base_url);
        for (i, command) in lines {
            let captured: Vec<&(usize, String, String)> = captures.iter().filter(|(j, _, _)| *j == i).collect();
            if i == last {
                let _ = writeln!(text, "  curl -sS -i {command}");
            } else if captured.is_empty() {
                let _ = writeln!(text, "  curl -sS -o /dev/null {command}");
            } else {
                let _ = writeln!(text, "  R{}=$(curl -sS {command})", i + 1);
                for (_, var, path) in captured {
                    let _ = writeln!(text, "  {var}=$(printf '%s' \"$R{}\" | jq -r {})", i + 1, quote(path));
                }
            }
        }
        if needs_file {
            text.push_str("  (a body above holds an image or a token: run with --repro-dir DIR to have it written)\n");
        }
        if replay_only {
            text.push_str("  replay only: a request presents a credential the suite derived; `replay RUN.ndjson` sends it again\n");
        }
        Some(Reproduction { text, replay_only })
    }

    fn body_file(&self, name: &str, step: usize, bytes: impl FnOnce() -> Vec<u8>, needs_file: &mut bool) -> String {
        let file = format!("{}-{}.json", name.replace(['/', ':', ' '], "_"), step + 1);
        match &self.dir {
            Some(dir) if std::fs::write(dir.join(&file), bytes()).is_ok() => {
                format!("--data-binary {}", quote(&format!("@{}", dir.join(&file).display())))
            }
            _ => {
                *needs_file = true;
                format!("--data-binary {}", quote(&format!("@{file}")))
            }
        }
    }
}

/// A string for a POSIX shell, in single quotes.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The jq path of the first string in `v` equal to `needle`.
fn find(v: &Value, needle: &str) -> Option<String> {
    fn walk(v: &Value, needle: &str) -> Option<String> {
        match v {
            Value::String(s) if s == needle => Some(String::new()),
            Value::Object(m) => m.iter().find_map(|(k, v)| {
                let plain = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                let key = if plain { format!(".{k}") } else { format!(".[{}]", Value::String(k.clone())) };
                walk(v, needle).map(|rest| format!("{key}{rest}"))
            }),
            Value::Array(a) => {
                a.iter().enumerate().find_map(|(i, v)| walk(v, needle).map(|rest| format!(".[{i}]{rest}")))
            }
            _ => None,
        }
    }
    walk(v, needle).map(|p| if p.is_empty() { ".".to_owned() } else { p })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::target::Call;

    fn entry(seq: u64, call: Call, response: Option<Value>) -> Entry {
        Entry { seq, call, response }
    }

    #[test]
    fn set_up_answers_are_captured_and_secrets_never_written() {
        let r = Reproducer {
            base_url: "http://127.0.0.1:9".into(),
            client_token: Some("vkc_client".into()),
            ..Reproducer::default()
        };
        let setup = entry(
            1,
            Call::post("/__conformance/provider-states", json!({"status": "STARTED"})),
            Some(json!({"data": {"token": "eyJ.reg.sig", "appRegistration": {"_id": "6650aa0b1c2d3e4f"}}})),
        );
        let read = entry(2, Call::get("/v2/app-registrations/6650aa0b1c2d3e4f").bearer("vkc_client"), None);
        let image = "data:image/png;base64,iVBORw0KGgo=";
        let failing = entry(
            3,
            Call::post(crate::api::CENTRAL_PATH, json!({"image": image, "os": "IOS"})).bearer("eyJ.reg.sig"),
            None,
        );
        let shown = r.render(&[setup, read, failing], "BV-X").expect("rendered");
        let t = &shown.text;
        assert!(!shown.replay_only);
        assert!(t.contains("R1=$(curl -sS -X POST \"$B/__conformance/provider-states\""), "{t}");
        assert!(t.contains("--data-binary '{\"status\":\"STARTED\"}'"), "{t}");
        assert!(t.contains("ID1=$(printf '%s' \"$R1\" | jq -r '.data.appRegistration._id')"), "{t}");
        assert!(t.contains("TOKEN2=$(printf '%s' \"$R1\" | jq -r '.data.token')"), "{t}");
        assert!(
            t.contains("\"$B/v2/app-registrations/${ID1}\" -H \"Authorization: Bearer $VERIFIK_CLIENT_TOKEN\""),
            "{t}"
        );
        assert!(t.contains("curl -sS -i -X POST \"$B/v2/biometric-validations/app-registration\" -H \"Authorization: Bearer $TOKEN2\""), "{t}");
        assert!(t.contains("--data-binary '@BV-X-3.json'") && t.contains("--repro-dir"), "{t}");
        for secret in ["eyJ.reg.sig", "vkc_client", "iVBORw0KGgo"] {
            assert!(!t.contains(secret), "{secret} in {t}");
        }
        let forged = entry(1, Call::get("/v2/credits").bearer("eyJ.forged.sig"), None);
        let shown = r.render(&[forged], "AUTH").expect("rendered");
        assert!(shown.replay_only && !shown.text.contains("forged"), "{}", shown.text);
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
