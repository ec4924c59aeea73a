//! The two kinds of text a report may be handed: `Untrusted`, what came from a target, and `Redacted`,
//! what has passed the run's redactor. Only the redactor turns the first into the second.

use serde::Serialize;

use super::redactor::redactor;

/// Text that came from a target (a body, a header, a URL, an error code, a message that quotes any of
/// them), or that may hold it. It has no `Display`, no `Serialize` and a `Debug` that shows only its
/// length: the one way to write it is `redacted()`, which passes it through the run's redactor.
///
/// A raw body cannot be formatted into a report:
///
/// ```compile_fail,E0277
/// use verifik_conformance::target::untrusted::Untrusted;
/// let body = Untrusted::from("{\"echo\":\"Bearer eyJ...\"}");
/// println!("{body}"); // Untrusted is not Display
/// ```
///
/// nor put where reports read their text, which takes only redacted text:
///
/// ```compile_fail,E0308
/// use verifik_conformance::target::untrusted::Redacted;
/// let message: Option<Redacted> = Some(String::from("expected 200, got {\"token\":\"eyJ...\"}"));
/// ```
///
/// while the redactor's output can:
///
/// ```
/// use verifik_conformance::target::untrusted::{Redacted, Untrusted};
/// let message: Option<Redacted> = Some(Untrusted::from("got 409").redacted());
/// assert_eq!(message.map(|m| m.to_string()), Some("got 409".to_owned()));
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Untrusted(String);

impl Untrusted {
    /// The text, for an oracle or a matcher to compare: never to be written anywhere.
    pub fn peek(&self) -> &str {
        &self.0
    }

    /// This text followed by `more`.
    pub fn join(mut self, more: &Untrusted) -> Untrusted {
        self.0.push_str(&more.0);
        self
    }

    /// The text as it may be written: every secret the run knows replaced.
    pub fn redacted(&self) -> Redacted {
        Redacted(redactor().scrub(&self.0).into_owned())
    }
}

impl From<String> for Untrusted {
    fn from(text: String) -> Untrusted {
        Untrusted(text)
    }
}

impl From<&str> for Untrusted {
    fn from(text: &str) -> Untrusted {
        Untrusted(text.to_owned())
    }
}

impl std::fmt::Debug for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Untrusted({} bytes)", self.0.len())
    }
}

/// Text that has passed the run's redactor: what reports, terminals and files are given. Only
/// `Untrusted::redacted` makes one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Redacted {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
