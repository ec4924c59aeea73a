//! The behaviour catalogue: the suite's table of contents. One file per family; each behaviour is a
//! plain function with its id, statement, source and strictness next to it.

mod auth;
mod documented;
mod input;
mod stateful;

use serde_json::{Value, json};

use super::behaviour::Behaviour;
use super::probe::{Probe, Stop};
use crate::target::Exchange;

/// Every behaviour, sorted by trial name (stable order, stable names).
pub fn all() -> Vec<Behaviour> {
    let mut v = Vec::new();
    v.extend(documented::behaviours());
    v.extend(auth::behaviours());
    v.extend(input::behaviours());
    v.extend(stateful::behaviours());
    v.sort_by_key(Behaviour::trial_name);
    v
}

/// The fixture face as the body the vendor documents.
pub(crate) fn face_body(p: &Probe<'_>, os: &str) -> Value {
    json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": os})
}

/// Reads a registration with its own token (the vendor lets a registration read itself).
pub(crate) fn read_registration(p: &mut Probe<'_>, id: &str, token: &str) -> Result<Exchange, Stop> {
    let call = crate::target::Call::get(format!("/v2/app-registrations/{id}?populates[]=person")).bearer(token);
    let x = p.send(&call)?;
    if x.status != 200 {
        return Err(Stop::Fail(format!("reading the registration back failed: {}", x.summary())));
    }
    Ok(x)
}

/// Documented: a refused request creates nothing, so the registration still has no person.
pub(crate) fn still_empty(p: &mut Probe<'_>, id: &str, token: &str) -> Result<(), Stop> {
    let read = read_registration(p, id, token)?;
    let person = &read.json()["data"]["person"];
    let linked = person.as_str().or_else(|| person["_id"].as_str()).map(str::to_owned);
    p.check_documented(linked.map(|id| ("nothing-created", format!("the registration now has person {id}"))), None);
    Ok(())
}

/// The number of usage credits the client has been charged, when a client token is at hand.
pub(crate) fn usage_credits(p: &mut Probe<'_>, client_token: Option<&str>) -> Result<Option<u64>, Stop> {
    let Some(token) = client_token else { return Ok(None) };
    let x = p.send(&crate::target::Call::get("/v2/credits?where_category=usage&perPage=1").bearer(token))?;
    Ok(x.json()["pagination"]["total"].as_u64())
}

/// An exchange's `data.<field>` as an id, whether the target sends ids or populated objects.
pub(crate) fn id_of(x: &Exchange, field: &str) -> Option<String> {
    let v = &x.json()["data"][field];
    v.as_str().or_else(|| v["_id"].as_str()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_trial_names_are_unique_and_stable() {
        let all = all();
        let mut ids: Vec<&str> = all.iter().map(|b| b.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate behaviour id");
        for b in &all {
            assert!(b.id.0.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'), "{}", b.id);
            assert!(!b.statement.is_empty() && !b.source.is_empty(), "{}", b.id);
        }
    }
}
