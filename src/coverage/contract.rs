//! Contract coverage of a run: which statuses, codes and 200-body fields `schemas/openapi.yaml`
//! documents for the central endpoint the target returned, and for each one it never returned, whether
//! the run's plan never asked for it (a gap of the suite on this target) or asked and did not get it
//! (a finding about the target). What the plan asks for is what the conformant emulator returns to the
//! same behaviours, seed and cases (the reference).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::suite::observed::Sequences;

/// The OpenAPI description (JSON syntax, which is YAML 1.2).
const OPENAPI: &str = include_str!("../../schemas/openapi.yaml");
const BODY_200: &str = include_str!("../../schemas/app-registration-200.json");

/// One documented thing an answer can show.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "item", rename_all = "lowercase")]
pub enum Item {
    Status { status: u16 },
    Code { status: u16, code: String },
    Field { field: String },
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Status { status } => write!(f, "status {status}"),
            Item::Code { status, code } => write!(f, "{status} {code}"),
            Item::Field { field } => write!(f, "200 data.{field}"),
        }
    }
}

/// What became of a documented item in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Seen {
    Returned,
    /// The plan asked (the reference returned it to a behaviour that ran) and the target did not.
    AskedNotReturned,
    /// No behaviour that ran asks for it: a gap of the suite on this target.
    NotAsked,
}

crate::api::closed!(Seen);

#[derive(Debug, Clone, Serialize)]
pub struct ItemCoverage {
    #[serde(flatten)]
    pub item: Item,
    pub seen: Seen,
    /// The behaviours that got it, or (when it was not returned) that asked for it.
    pub behaviours: Vec<String>,
}

/// Every item the OpenAPI description documents for the central endpoint.
pub fn documented() -> Vec<Item> {
    let mut out = BTreeSet::new();
    let doc: Value = serde_json::from_str(OPENAPI).unwrap_or_default();
    let responses = &doc["paths"][crate::api::CENTRAL_PATH]["post"]["responses"];
    for (status, r) in responses.as_object().into_iter().flatten() {
        let Ok(status) = status.parse::<u16>() else { continue };
        out.insert(Item::Status { status });
        for media in r["content"].as_object().into_iter().flat_map(|c| c.values()) {
            for example in media["examples"].as_object().into_iter().flat_map(|e| e.values()) {
                if let Some(code) = example["value"]["code"].as_str() {
                    out.insert(Item::Code { status, code: code.to_owned() });
                }
            }
        }
    }
    let body: Value = serde_json::from_str(BODY_200).unwrap_or_default();
    for field in body["properties"]["data"]["properties"].as_object().into_iter().flat_map(|p| p.keys()) {
        out.insert(Item::Field { field: field.clone() });
    }
    out.into_iter().collect()
}

/// The items each behaviour's answers on the central endpoint showed.
pub fn returned(sequences: &Sequences) -> BTreeMap<Item, BTreeSet<String>> {
    let central = format!("POST {}", crate::api::CENTRAL_PATH);
    let mut out: BTreeMap<Item, BTreeSet<String>> = BTreeMap::new();
    for (behaviour, slots) in sequences {
        for step in slots.values().flatten().filter(|s| s.route == central) {
            for a in &step.answers {
                let Some(status) = a["status"].as_u64().and_then(|s| u16::try_from(s).ok()) else { continue };
                let mut items = vec![Item::Status { status }];
                if let Some(code) = a["code"].as_str() {
                    items.push(Item::Code { status, code: code.to_owned() });
                }
                if status == 200 {
                    let fields = a["shape"]["data"].as_object().into_iter().flat_map(|d| d.keys());
                    items.extend(fields.map(|f| Item::Field { field: f.clone() }));
                }
                for item in items {
                    out.entry(item).or_default().insert(behaviour.clone());
                }
            }
        }
    }
    out
}

/// Each documented item in `target`'s answers, judged against what `reference` (the conformant
/// emulator, same behaviours, seed and cases) returned to the behaviours in `ran`.
pub fn contract(target: &Sequences, reference: &Sequences, ran: &BTreeSet<String>) -> Vec<ItemCoverage> {
    let (got, asked) = (returned(target), returned(reference));
    documented()
        .into_iter()
        .map(|item| {
            if let Some(by) = got.get(&item) {
                return ItemCoverage { item, seen: Seen::Returned, behaviours: by.iter().cloned().collect() };
            }
            let askers: Vec<String> =
                asked.get(&item).into_iter().flatten().filter(|b| ran.contains(*b)).cloned().collect();
            let seen = if askers.is_empty() { Seen::NotAsked } else { Seen::AskedNotReturned };
            ItemCoverage { item, seen, behaviours: askers }
        })
        .collect()
}

/// The contract coverage as lines for a terminal.
pub fn text(items: &[ItemCoverage]) -> String {
    let count = |s: Seen| items.iter().filter(|i| i.seen == s).count();
    let mut out = format!(
        "contract coverage (schemas/openapi.yaml, the central endpoint): {} documented item(s): {} returned, {} asked and not returned (findings about the target), {} never asked (gaps of the suite on this target)\n",
        items.len(),
        count(Seen::Returned),
        count(Seen::AskedNotReturned),
        count(Seen::NotAsked)
    );
    for i in items {
        let by = match i.seen {
            Seen::Returned => format!("by {}", shorten(&i.behaviours)),
            Seen::AskedNotReturned => format!("asked by {}", shorten(&i.behaviours)),
            Seen::NotAsked => "no behaviour that ran asks for it".to_owned(),
        };
        out.push_str(&format!("  {:<36} {:<20} {by}\n", i.item.to_string(), i.seen.as_str()));
    }
    out
}

fn shorten(names: &[String]) -> String {
    match names {
        [] => "-".to_owned(),
        [a] => a.clone(),
        [a, rest @ ..] => format!("{a} and {} more", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The description documents the statuses, codes and fields the suite's schemas hold.
    #[test]
    fn the_documented_items_come_from_the_description() {
        let items = documented();
        for expected in [
            Item::Status { status: 200 },
            Item::Status { status: 415 },
            Item::Code { status: 409, code: "liveness_failed".into() },
            Item::Code { status: 403, code: "FORBIDDEN".into() },
            Item::Field { field: "assignedCollection".into() },
        ] {
            assert!(items.contains(&expected), "{expected} missing from {items:?}");
        }
        assert_eq!(items.iter().filter(|i| matches!(i, Item::Status { .. })).count(), 9);
        assert_eq!(items.iter().filter(|i| matches!(i, Item::Field { .. })).count(), 14);
    }
}
