//! Documentation coverage: every claim of the vendor's page (`claims/claims.json`, quoted from
//! `claims/page.txt`), with the behaviours that check it (declared on the catalogue rows) and its
//! status; a freshly saved copy of the page compared claim by claim; and, after a run, which documented
//! statuses, codes and 200-body fields a target returned (`contract`).

pub mod contract;
pub mod report;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::suite::{Behaviour, Strictness};

/// The claims file, as committed.
pub const CLAIMS: &str = include_str!("../../claims/claims.json");
/// The page the claims quote, as committed.
pub const PAGE: &str = include_str!("../../claims/page.txt");

/// One claim of the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    pub id: String,
    pub kind: String,
    /// Text of the page, verbatim: the claim is found in a page by it.
    pub quote: String,
    /// What it claims, in a few words.
    pub says: String,
    /// Why it cannot be checked from outside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untestable: Option<String>,
    /// What the page leaves open or contradicts, and the emulator's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<String>,
    /// A documented response's status and code, or a 200 field: what contract coverage ties to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Parts of the committed page that are not claims, by line range (1-based) or quoted text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotClaim {
    #[serde(default)]
    pub lines: Option<[usize; 2]>,
    #[serde(default)]
    pub quote: Option<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub format_version: u32,
    pub claims: Vec<Claim>,
    pub not_claims: Vec<NotClaim>,
}

impl Claims {
    /// The committed claims.
    pub fn committed() -> Result<Claims, serde_json::Error> {
        serde_json::from_str(CLAIMS)
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    /// A documented behaviour that some deviation breaks checks it.
    Tested,
    /// Only inferred behaviours (the emulator's decisions) check it.
    InferredOnly,
    /// It cannot be checked from outside; the reason is in the claim.
    Untestable,
    /// Testable, and nothing checks it.
    Untested,
}

crate::api::closed!(Status);

/// A claim with its status and the behaviours that check it.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    pub claim: Claim,
    pub status: Status,
    pub behaviours: Vec<String>,
}

/// Every claim's status, given the catalogue's rows.
pub fn coverage(claims: &Claims, catalogue: &[Behaviour]) -> Vec<Covered> {
    claims
        .claims
        .iter()
        .map(|c| {
            let checking: Vec<&Behaviour> =
                catalogue.iter().filter(|b| b.claims.iter().any(|id| id.0 == c.id)).collect();
            // A behaviour no deviation breaks is a check that cannot be shown to fail: it does not count.
            let proven = |b: &&&Behaviour| !b.broken_by.is_empty();
            let status = if checking.iter().filter(proven).any(|b| b.strictness == Strictness::Documented) {
                Status::Tested
            } else if c.untestable.is_some() {
                Status::Untestable
            } else if checking.iter().any(|b| !b.broken_by.is_empty()) {
                Status::InferredOnly
            } else {
                Status::Untested
            };
            let behaviours = checking.iter().map(|b| b.id.0.to_owned()).collect();
            Covered { claim: c.clone(), status, behaviours }
        })
        .collect()
}

/// Claim ids named on catalogue rows that the claims file does not hold.
pub fn unknown_ids(claims: &Claims, catalogue: &[Behaviour]) -> Vec<String> {
    let known: BTreeSet<&str> = claims.claims.iter().map(|c| c.id.as_str()).collect();
    let mut out: Vec<String> = catalogue
        .iter()
        .flat_map(|b| {
            b.claims.iter().filter(|id| !known.contains(id.0)).map(move |id| format!("{} names {}", b.id, id.0))
        })
        .collect();
    out.sort();
    out
}

/// A page as units: its lines, prose lines split into sentences, each with its line number; units
/// without a letter or digit (braces, table rules) are not sentences.
pub fn units(page: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in page.lines().enumerate() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut rest = line.as_str();
        while !rest.is_empty() {
            // A sentence ends at ". " before a capital letter.
            let end = rest
                .match_indices(". ")
                .find(|(at, _)| rest[at + 2..].chars().next().is_some_and(char::is_uppercase))
                .map_or(rest.len(), |(at, _)| at + 1);
            let (unit, tail) = rest.split_at(end);
            if unit.chars().any(char::is_alphanumeric) {
                out.push((i + 1, unit.trim().to_owned()));
            }
            rest = tail.trim_start();
        }
    }
    out
}

/// The units of the committed page that its not-claims cover.
fn not_claim_units(claims: &Claims, page: &str) -> BTreeSet<String> {
    units(page)
        .into_iter()
        .filter(|(line, unit)| {
            claims.not_claims.iter().any(|n| {
                n.lines.is_some_and(|[a, b]| (a..=b).contains(line))
                    || n.quote.as_deref().is_some_and(|q| unit.contains(q))
            })
        })
        .map(|(_, u)| u)
        .collect()
}

/// Units of `page` that no claim quotes and that the committed page did not hold as a not-claim.
pub fn uncovered(claims: &Claims, page: &str) -> Vec<(usize, String)> {
    let reviewed = not_claim_units(claims, PAGE);
    units(page)
        .into_iter()
        .filter(|(_, u)| !claims.claims.iter().any(|c| u.contains(&normalised(&c.quote))) && !reviewed.contains(u))
        .collect()
}

fn normalised(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A claim in a freshly saved page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Presence {
    Unchanged,
    Changed,
    Gone,
}

crate::api::closed!(Presence);

/// The share of the quote's words (in lower case) that a sentence holds: a reworded claim keeps most of
/// its words, whatever the sentence adds around them.
fn similarity(quote: &str, sentence: &str) -> f64 {
    let words = |s: &str| -> BTreeSet<String> {
        s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    };
    let (q, s) = (words(quote), words(sentence));
    if q.is_empty() { 0.0 } else { q.intersection(&s).count() as f64 / q.len() as f64 }
}

/// How much of a quote's words a page sentence must hold to be the same claim reworded.
const REWORDED: f64 = 0.6;

/// A fresh page aligned with the committed one, sentence by sentence (a diff of the two): where each
/// committed sentence went. A claim that lost its quote is looked for only among the sentences that
/// took its sentence's place, never anywhere on the page: a deleted claim whose words stand elsewhere
/// (a `404` in a message, `person` in a note) would otherwise be called "changed" and point at an
/// unrelated sentence.
pub struct Aligned {
    new: Vec<(usize, String)>,
    old: Vec<String>,
    /// Per committed sentence, the fresh sentences that took its place (itself when kept, none when deleted).
    next: Vec<std::ops::Range<usize>>,
}

impl Aligned {
    pub fn new(page: &str) -> Aligned {
        let old: Vec<String> = units(PAGE).into_iter().map(|(_, u)| u).collect();
        let new = units(page);
        let texts: Vec<&str> = new.iter().map(|(_, u)| u.as_str()).collect();
        let olds: Vec<&str> = old.iter().map(String::as_str).collect();
        let mut next = vec![0..0; old.len()];
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &olds, &texts) {
            let (tag, from, to) = op.as_tag_tuple();
            for i in from.clone() {
                next[i] = match tag {
                    similar::DiffTag::Equal => {
                        let at = to.start + (i - from.start);
                        at..at + 1
                    }
                    _ => to.clone(),
                };
            }
        }
        Aligned { new, old, next }
    }

    /// The fresh page's sentences.
    pub fn units(&self) -> &[(usize, String)] {
        &self.new
    }

    /// One claim: unchanged (quoted verbatim), changed (a sentence that took its sentence's place
    /// holds most of its words; that sentence is returned), or gone.
    pub fn presence(&self, claim: &Claim) -> (Presence, Option<(usize, String)>) {
        let quote = normalised(&claim.quote);
        if self.new.iter().any(|(_, u)| u.contains(&quote)) {
            return (Presence::Unchanged, None);
        }
        let places = self.old.iter().enumerate().filter(|(_, u)| u.contains(&quote)).map(|(i, _)| self.next[i].clone());
        let best = places.flatten().map(|j| (similarity(&quote, &self.new[j].1), j)).max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((s, j)) if s >= REWORDED => (Presence::Changed, Some(self.new[j].clone())),
            _ => (Presence::Gone, None),
        }
    }
}

/// One claim in a fresh page.
#[derive(Debug, Clone)]
pub struct OnPage {
    pub id: String,
    pub presence: Presence,
    /// A changed claim's sentence now: its line and text.
    pub now: Option<(usize, String)>,
    /// The behaviours that check it: to revisit when it changed or went.
    pub revisit: Vec<String>,
}

/// A fresh page compared with the claims: per claim its presence, and the sentences no claim covers.
#[derive(Debug, Clone)]
pub struct PageCheck {
    pub claims: Vec<OnPage>,
    pub uncovered: Vec<(usize, String)>,
}

pub fn check_page(claims: &Claims, catalogue: &[Behaviour], page: &str) -> PageCheck {
    let aligned = Aligned::new(page);
    let covered = coverage(claims, catalogue);
    let claims_out: Vec<OnPage> = covered
        .iter()
        .map(|c| {
            let (presence, now) = aligned.presence(&c.claim);
            OnPage { id: c.claim.id.clone(), presence, now, revisit: c.behaviours.clone() }
        })
        .collect();
    // A reworded claim's sentence is named as the claim's new text, not again as uncovered.
    let reworded: BTreeSet<&String> = claims_out.iter().filter_map(|c| c.now.as_ref().map(|(_, u)| u)).collect();
    let uncovered = uncovered(claims, page).into_iter().filter(|(_, u)| !reworded.contains(u)).collect();
    PageCheck { claims: claims_out, uncovered }
}

/// Counts by status.
pub fn counts(covered: &[Covered]) -> BTreeMap<Status, usize> {
    let mut n = BTreeMap::new();
    for c in covered {
        *n.entry(c.status).or_default() += 1;
    }
    n
}

#[cfg(test)]
mod tests;
