//! SQLite persistence: the only module with SQL in it, split by entity (`clients`, `projects`,
//! `registrations`, `validations`); the schema is `schema.sql`.
//!
//! One connection behind a mutex, used from blocking threads. Every multi-step change runs in an
//! IMMEDIATE transaction so that racing requests see each other's writes in a single order; this is what
//! makes "N simultaneous first validations give exactly one 200" hold. Migrations are numbered and
//! tracked in `PRAGMA user_version`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

mod clients;
mod projects;
mod registrations;
mod validations;

pub(crate) use clients::*;
pub(crate) use projects::*;
pub(crate) use registrations::*;
pub use validations::*;

use super::liveness::Assessment;
use super::model::{
    BiometricValidation, Credit, CreditCategory, InformationValidation, LivenessSettings, Person, Project, ProjectFlow,
    Registration, SearchMode, now_iso,
};
use crate::api::{ObjectId, Os, QualityCode, RegistrationStatus, Score};

/// Numbered schema migrations; entry `i` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[include_str!("schema.sql")];

/// Credits a freshly seeded client starts with.
pub const SEED_CREDITS: i64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("failed to open the database at {path}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database schema version {found} is newer than this build knows ({known})")]
    TooNew { found: i64, known: i64 },
    #[error("database query failed")]
    Sql(#[from] rusqlite::Error),
    #[error("the database worker stopped before answering")]
    Worker,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// `getrandom`'s error is not a `std` error without its `std` feature; its text is kept.
    #[error("the operating system gave no random bytes: {0}")]
    Random(getrandom::Error),
}

/// A cheaply cloned handle on the one connection.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// What seeding found or created.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub client: String,
    pub client_token: String,
    pub token_was_generated: bool,
}

impl Store {
    /// Opens (and migrates) an in-memory database, or the file at `path`.
    pub(crate) fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let conn = match path {
            Some(p) => {
                Connection::open(p).map_err(|source| StoreError::Open { path: p.display().to_string(), source })?
            }
            None => {
                Connection::open_in_memory().map_err(|source| StoreError::Open { path: ":memory:".into(), source })?
            }
        };
        // WAL with synchronous=FULL: a committed 200 survives a SIGKILL of the process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        migrate(&mut conn)?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` on the connection from a blocking thread.
    pub async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the data is still consistent because every
            // change is transactional, so the poison is cleared rather than propagated.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| StoreError::Worker)?
    }

    /// The same, for start-up code that is not yet inside the runtime.
    pub(crate) fn call_blocking<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew { found: version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

pub(super) fn new_id() -> String {
    ObjectId::generate().to_string()
}

/// Hex of `bytes` random bytes from the operating system; a failure is an error, never zeros (this
/// makes the JWT signing secret and generated client tokens).
pub(super) fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(StoreError::Random)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Seeds the first client (once) and returns its token; a given token replaces the stored one.
pub(crate) fn seed(conn: &mut Connection, client_token: Option<&str>, credits: i64) -> Result<Seeded, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if tx
        .query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| r.get::<_, String>(0))
        .optional()?
        .is_none()
    {
        tx.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?1)", [random_hex(32)?])?;
    }
    let existing: Option<(String, String)> = tx
        .query_row("SELECT id, token FROM clients WHERE seeded = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let seeded = match existing {
        Some((client, token)) => match client_token {
            Some(given) if given != token => {
                tx.execute("UPDATE clients SET token = ?1 WHERE id = ?2", params![given, client])?;
                Seeded { client, client_token: given.to_owned(), token_was_generated: false }
            }
            Some(_) => Seeded { client, client_token: token, token_was_generated: false },
            None => Seeded { client, client_token: token, token_was_generated: false },
        },
        None => {
            let (token, generated) = match client_token {
                Some(t) => (t.to_owned(), false),
                None => (format!("vkc_{}", random_hex(20)?), true),
            };
            let client = insert_client(&tx, &token, true)?;
            let with = insert_project(&tx, &client, "Onboarding", true)?;
            insert_flow(&tx, &client, &with, "Onboarding", LivenessSettings::documented_defaults())?;
            let without = insert_project(&tx, &client, "Onboarding without collection", false)?;
            insert_flow(
                &tx,
                &client,
                &without,
                "Onboarding without collection",
                LivenessSettings::documented_defaults(),
            )?;
            if credits > 0 {
                insert_credit(&tx, &client, credits, CreditCategory::Purchase, "initial balance", None)?;
            }
            Seeded { client, client_token: token, token_was_generated: generated }
        }
    };
    tx.commit()?;
    Ok(seeded)
}

pub(crate) fn jwt_secret(conn: &Connection) -> Result<String, StoreError> {
    conn.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::Corrupt("no jwt secret; the store was not seeded".into()))
}

#[cfg(test)]
mod tests;
