//! Baselines of known deviations (`run --baseline FILE`): findings an operator has accepted, each
//! with the behaviour, the check, a signature of the failure (the status and error code it was found
//! in, so a different failure of the same check is new), a reason, and an optional expiry and ticket.
//! A known finding is reported as known and does not fail the run; a new one does; an expired entry
//! does; an entry that no longer occurs is reported "fixed, prune it".

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::finding::{Check, Violation};

/// The baseline file format this build writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

pub use super::finding::Signature;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub behaviour: String,
    pub check: String,
    #[serde(default)]
    pub signature: Signature,
    pub reason: String,
    /// `YYYY-MM-DD`; from that day on the entry fails the run until it is renewed or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub format_version: u32,
    #[serde(default)]
    pub known: Vec<Entry>,
}

/// A finding as the baseline names it: the behaviour, the check (for a property, the check its
/// shrunk case failed) and the signature of the answer it was found in, read from the violation's
/// fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub behaviour: String,
    pub check: Check,
    pub signature: Signature,
}

impl Key {
    pub fn of(behaviour: &str, v: &Violation) -> Key {
        Key { behaviour: behaviour.to_owned(), check: v.check, signature: v.signature.clone() }
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let b: Baseline =
            serde_json::from_str(&text).map_err(|e| format!("{} is not a baseline file: {e}", path.display()))?;
        if b.format_version > FORMAT_VERSION {
            return Err(format!(
                "{} is baseline format {}, newer than this build reads ({FORMAT_VERSION})",
                path.display(),
                b.format_version
            ));
        }
        if let Some(bad) = b.known.iter().find(|e| e.expires.as_deref().is_some_and(|d| parse_day(d).is_none())) {
            return Err(format!("{}: expires {:?} is not YYYY-MM-DD", path.display(), bad.expires));
        }
        Ok(b)
    }

    /// The entry that accepts `finding` today, if any (an expired entry accepts nothing).
    pub(crate) fn accepts(&self, finding: &Key, today: chrono::NaiveDate) -> Option<&Entry> {
        self.known.iter().find(|e| e.matches(finding) && !e.expired(today))
    }

    /// Entries whose expiry has come.
    pub fn expired(&self, today: chrono::NaiveDate) -> Vec<&Entry> {
        self.known.iter().filter(|e| e.expired(today)).collect()
    }

    /// Entries of behaviours that ran whose finding did not occur: fixed, to be pruned.
    pub fn fixed<'a>(&'a self, found: &BTreeSet<Key>, ran: &BTreeSet<String>) -> Vec<&'a Entry> {
        self.known.iter().filter(|e| ran.contains(&e.behaviour) && !found.iter().any(|f| e.matches(f))).collect()
    }

    /// The findings of this run as a baseline, keeping the reason, expiry and ticket of entries that
    /// persist.
    pub fn updated(previous: Option<&Baseline>, found: &BTreeSet<Key>) -> Baseline {
        let known = found
            .iter()
            .map(|f| match previous.and_then(|b| b.known.iter().find(|e| e.matches(f))) {
                Some(e) => e.clone(),
                None => Entry {
                    behaviour: f.behaviour.clone(),
                    check: f.check.as_str().to_owned(),
                    signature: f.signature.clone(),
                    reason: "TODO: say why this deviation is accepted".into(),
                    expires: None,
                    ticket: None,
                },
            })
            .collect();
        Baseline { format_version: FORMAT_VERSION, known }
    }
}

impl Entry {
    fn matches(&self, f: &Key) -> bool {
        self.behaviour == f.behaviour
            && self.check == f.check.as_str()
            && self.signature.status.is_none_or(|s| f.signature.status == Some(s))
            && self.signature.code.as_ref().is_none_or(|c| f.signature.code.as_ref() == Some(c))
    }

    fn expired(&self, today: chrono::NaiveDate) -> bool {
        self.expires.as_deref().and_then(parse_day).is_some_and(|day| day <= today)
    }

    pub fn describe(&self) -> String {
        let sig = match (&self.signature.status, &self.signature.code) {
            (Some(s), Some(c)) => format!(" ({s} {c})"),
            (Some(s), None) => format!(" ({s})"),
            (None, Some(c)) => format!(" ({c})"),
            (None, None) => String::new(),
        };
        let ticket = self.ticket.as_deref().map_or(String::new(), |t| format!(" [{t}]"));
        format!("{} {}{sig}{ticket}: {}", self.behaviour, self.check, self.reason)
    }
}

pub(crate) fn parse_day(d: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::finding::Finding;
    use crate::target::Exchange;
    use crate::target::untrusted::Untrusted;
    use reqwest::StatusCode;
    use serde_json::json;

    #[test]
    fn signatures_tell_failures_of_one_check_apart() {
        let x = Exchange::synthetic(
            StatusCode::BAD_REQUEST,
            json!({"code": "person_already_set", "message": "409:person_already_set"}),
        );
        let v = Violation::of(&Finding::new(Check::Status, "expected 409, got 400").at(&x), None, None);
        let f = Key::of("BV-409-PERSON-ALREADY-SET", &v);
        assert_eq!(f.signature, Signature { status: Some(400), code: Some("person_already_set".into()) });
        // A property's violation is its shrunk case's finding: the key names the check that broke.
        let case = Finding::new(Check::MissingParameter, "expected 409 MissingParameter, got 400").at(&x);
        let p = Violation::of(&case, Some(Untrusted::from("shrunk input: os \"\"").redacted()), None);
        assert_eq!(Key::of("INPUT-OS-INVALID", &p).check, Check::MissingParameter);
        let day = |d: &str| parse_day(d).expect("a day");
        let b = Baseline {
            format_version: 1,
            known: vec![Entry {
                behaviour: f.behaviour.clone(),
                check: "status".into(),
                signature: Signature { status: Some(400), code: None },
                reason: "vendor ticket open".into(),
                expires: Some("2026-12-31".into()),
                ticket: Some("VK-1".into()),
            }],
        };
        assert!(b.accepts(&f, day("2026-12-30")).is_some());
        assert!(b.accepts(&f, day("2026-12-31")).is_none(), "expired on its day");
        let other = Key { signature: Signature { status: Some(500), code: None }, ..f.clone() };
        assert!(b.accepts(&other, day("2026-12-01")).is_none(), "a different failure of the same check is new");
        let ran: BTreeSet<String> = [f.behaviour.clone()].into();
        assert_eq!(b.fixed(&BTreeSet::new(), &ran).len(), 1);
        assert_eq!(b.fixed(&[f.clone()].into(), &ran).len(), 0);
        let kept = Baseline::updated(Some(&b), &[f].into());
        assert_eq!(kept.known[0].reason, "vendor ticket open");
    }
}
