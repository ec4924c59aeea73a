//! Biometric validations: persons, successes and failures, the scripted liveness answers of provider
//! states, and the one transaction that commits a success.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::*;

pub(super) fn score_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Score> {
    let h: u8 = r.get(i)?;
    Score::from_hundredths(h)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, Box::new(e)))
}

pub(crate) fn person(conn: &Connection, id: &str) -> Result<Option<Person>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, client_id, name, collection_id, app_registration_id, active, liveness_score, created_at, updated_at
                 FROM persons WHERE id = ?1",
            [id],
            |r| {
                Ok(Person {
                    id: r.get(0)?,
                    client: r.get(1)?,
                    name: r.get(2)?,
                    collection: r.get(3)?,
                    app_registration: r.get(4)?,
                    active: r.get(5)?,
                    liveness_score: score_at(r, 6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// How many persons of a registration are live; the invariant is at most one.
pub fn active_persons(conn: &Connection, registration: &str) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM persons WHERE app_registration_id = ?1 AND active = 1",
        [registration],
        |r| r.get(0),
    )?)
}

pub(crate) fn biometric_validation(conn: &Connection, id: &str) -> Result<Option<BiometricValidation>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, client_id, project_id, project_flow_id, app_registration_id, person_id, os, liveness_score,
                 minimum_score, image_digest, replaced, created_at, updated_at FROM biometric_validations WHERE id = ?1",
            [id],
            |r| {
                let os: String = r.get(6)?;
                let os = os
                    .parse::<Os>()
                    .map_err(|e| rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e)))?;
                Ok(BiometricValidation {
                    id: r.get(0)?,
                    client: r.get(1)?,
                    project: r.get(2)?,
                    project_flow: r.get(3)?,
                    app_registration: r.get(4)?,
                    person: r.get(5)?,
                    os,
                    liveness_score: score_at(r, 7)?,
                    minimum_score: score_at(r, 8)?,
                    image_digest: r.get(9)?,
                    replaced: r.get(10)?,
                    created_at: r.get(11)?,
                    updated_at: r.get(12)?,
                })
            },
        )
        .optional()?)
}

/// Replaces a registration's scripted liveness outcomes.
pub(crate) fn set_script(conn: &Connection, registration: &str, script: &[Assessment]) -> Result<(), StoreError> {
    conn.execute("DELETE FROM liveness_script WHERE app_registration_id = ?1", [registration])?;
    for (seq, step) in script.iter().enumerate() {
        let (score, quality) = match step {
            Assessment::Scored(s) => (Some(s.hundredths()), None),
            Assessment::Quality(q) => (None, Some(q.as_str())),
        };
        conn.execute(
            "INSERT INTO liveness_script (app_registration_id, seq, score, quality) VALUES (?1, ?2, ?3, ?4)",
            params![registration, seq as i64, score, quality],
        )?;
    }
    Ok(())
}

/// Takes the next scripted outcome for a registration, if any.
pub(crate) fn pop_script(conn: &mut Connection, registration: &str) -> Result<Option<Assessment>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let next: Option<(i64, Option<u8>, Option<String>)> = tx
        .query_row(
            "SELECT seq, score, quality FROM liveness_script WHERE app_registration_id = ?1 ORDER BY seq LIMIT 1",
            [registration],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((seq, score, quality)) = next else { return Ok(None) };
    tx.execute("DELETE FROM liveness_script WHERE app_registration_id = ?1 AND seq = ?2", params![registration, seq])?;
    tx.commit()?;
    let outcome = match (score, quality) {
        (Some(h), _) => Assessment::Scored(Score::from_hundredths(h).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        (None, Some(q)) => {
            Assessment::Quality(q.parse::<QualityCode>().map_err(|e| StoreError::Corrupt(e.to_string()))?)
        }
        (None, None) => return Err(StoreError::Corrupt("empty liveness script step".into())),
    };
    Ok(Some(outcome))
}

/// A failed liveness attempt to record.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub registration: String,
    pub assessment: Assessment,
    pub os: Os,
    pub image_digest: String,
    /// The `charge-on-failure` deviation: also take a usage credit.
    pub charge: bool,
}

/// Records a failure; a score failure uses an attempt and may move the registration to `FAILED`.
/// Returns the registration as it is afterwards, or `None` when it is no longer active (a racing
/// request used the last attempt), in which case nothing is recorded.
pub(crate) fn record_failure(conn: &mut Connection, f: &Failure) -> Result<Option<Registration>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(reg) = registration(&tx, &f.registration)? else { return Ok(None) };
    if !reg.status.is_active() {
        return Ok(None);
    }
    let now = now_iso();
    let (kind, reason, score) = match f.assessment {
        Assessment::Scored(s) => ("score", "liveness_failed", Some(s.hundredths())),
        Assessment::Quality(q) => ("quality", q.reason(), None),
    };
    tx.execute(
        "INSERT INTO failed_biometric_validations (id, app_registration_id, failure_kind, failure_reason, liveness_score,
             os, image_digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![new_id(), f.registration, kind, reason, score, f.os.as_str(), f.image_digest, now],
    )?;
    if f.charge {
        insert_credit(&tx, &reg.client, 1, CreditCategory::Usage, "charged on failure (deviation)", None)?;
    }
    if matches!(f.assessment, Assessment::Scored(_)) {
        let failed = reg.failed_attempts + 1;
        let status = if failed >= reg.attempt_limit { RegistrationStatus::Failed } else { reg.status };
        tx.execute(
            "UPDATE app_registrations SET failed_attempts = ?1, status = ?2, updated_at = ?3 WHERE id = ?4",
            params![failed, status.as_str(), now, f.registration],
        )?;
    }
    let after =
        registration(&tx, &f.registration)?.ok_or_else(|| StoreError::Corrupt("registration vanished".into()))?;
    tx.commit()?;
    Ok(Some(after))
}

/// The number of failed attempts recorded for a registration, by kind.
#[cfg(test)]
pub(crate) fn failures(conn: &Connection, registration: &str) -> Result<Vec<(String, String, Option<u8>)>, StoreError> {
    let mut st = conn.prepare(
        "SELECT failure_kind, failure_reason, liveness_score FROM failed_biometric_validations
             WHERE app_registration_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = st.query_map([registration], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A passed liveness check to turn into a person, a validation and a charge.
#[derive(Debug, Clone)]
pub(crate) struct Success {
    pub registration: String,
    pub force: bool,
    /// False only under the `accept-inactive-status` deviation.
    pub require_active: bool,
    /// False only under the `free-on-empty-balance` deviation.
    pub require_balance: bool,
    pub os: Os,
    pub score: Score,
    pub minimum: Score,
    pub image_digest: String,
}

/// What the final, transactional step of the central endpoint decided.
#[derive(Debug, Clone)]
pub(crate) enum Commit {
    Registered(Box<Registration>),
    NotFound,
    CollectionNotSet,
    PersonAlreadySet,
    PaymentRequired,
}

/// Re-checks every precondition and then creates the person and the validation and charges one
/// credit, all in one transaction. Re-checking here, not only before the (slow) liveness step, is what
/// keeps racing first validations from creating two persons or charging twice.
pub(crate) fn commit_success(conn: &mut Connection, s: &Success) -> Result<Commit, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(reg) = registration(&tx, &s.registration)? else { return Ok(Commit::NotFound) };
    if !reg.status.is_active() && s.require_active {
        return Ok(Commit::NotFound);
    }
    let Some(collection) = collection_of(&tx, &reg)? else { return Ok(Commit::CollectionNotSet) };
    if reg.person.is_some() && !s.force {
        return Ok(Commit::PersonAlreadySet);
    }
    if s.require_balance && balance(&tx, &reg.client)? <= 0 {
        return Ok(Commit::PaymentRequired);
    }
    let now = now_iso();
    tx.execute(
        "UPDATE persons SET active = 0, updated_at = ?1 WHERE app_registration_id = ?2 AND active = 1",
        params![now, reg.id],
    )?;
    tx.execute(
        "UPDATE biometric_validations SET replaced = 1, updated_at = ?1 WHERE app_registration_id = ?2 AND replaced = 0",
        params![now, reg.id],
    )?;
    let name = reg
        .full_name
        .clone()
        .or_else(|| reg.email.clone())
        .or_else(|| reg.phone.clone())
        .unwrap_or_else(|| reg.id.clone());
    let linked = Linked { name: &name, os: s.os, score: s.score, minimum: s.minimum, image_digest: &s.image_digest };
    let (_, bv) = link_person(&tx, &reg, &collection, &linked, &now)?;
    insert_credit(&tx, &reg.client, 1, CreditCategory::Usage, "app-registration biometric validation", Some(&bv))?;
    let after = registration(&tx, &reg.id)?.ok_or_else(|| StoreError::Corrupt("registration vanished".into()))?;
    tx.commit()?;
    Ok(Commit::Registered(Box::new(after)))
}

/// Sets a registration's person directly, for the provider state "person already set".
pub(crate) fn attach_existing_person(conn: &Connection, reg: &Registration, score: Score) -> Result<(), StoreError> {
    let collection =
        collection_of(conn, reg)?.ok_or_else(|| StoreError::Corrupt("person needs a collection".into()))?;
    let linked = Linked {
        name: "provider state person",
        os: Os::Desktop,
        score,
        minimum: LivenessSettings::documented_defaults().min_score,
        image_digest: "provider-state",
    };
    link_person(conn, reg, &collection, &linked, &now_iso())?;
    Ok(())
}

/// What a person and its biometric validation are created with.
struct Linked<'a> {
    name: &'a str,
    os: Os,
    score: Score,
    minimum: Score,
    image_digest: &'a str,
}

/// Creates an active person and its biometric validation and links both, with the collection, to the
/// registration; returns their ids.
fn link_person(
    conn: &Connection,
    reg: &Registration,
    collection: &str,
    l: &Linked<'_>,
    now: &str,
) -> Result<(String, String), StoreError> {
    let person = new_id();
    conn.execute(
        "INSERT INTO persons (id, client_id, app_registration_id, collection_id, name, active, liveness_score, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)",
        params![person, reg.client, reg.id, collection, l.name, l.score.hundredths(), now],
    )?;
    let bv = new_id();
    conn.execute(
        "INSERT INTO biometric_validations (id, client_id, project_id, project_flow_id, app_registration_id, person_id, os,
             liveness_score, minimum_score, image_digest, replaced, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?11)",
        params![
            bv,
            reg.client,
            reg.project,
            reg.project_flow,
            reg.id,
            person,
            l.os.as_str(),
            l.score.hundredths(),
            l.minimum.hundredths(),
            l.image_digest,
            now
        ],
    )?;
    conn.execute(
        "UPDATE app_registrations SET person_id = ?1, biometric_validation_id = ?2, assigned_collection_id = ?3,
             updated_at = ?4 WHERE id = ?5",
        params![person, bv, collection, now, reg.id],
    )?;
    Ok((person, bv))
}
