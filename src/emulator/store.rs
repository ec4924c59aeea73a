//! SQLite persistence: the only file with SQL in it.
//!
//! One connection behind a mutex, used from blocking threads. Every multi-step change runs in an
//! IMMEDIATE transaction so that racing requests see each other's writes in a single order; this is what
//! makes "N simultaneous first validations give exactly one 200" hold. Migrations are numbered and
//! tracked in `PRAGMA user_version`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::liveness::Assessment;
use super::model::{
    BiometricValidation, Credit, CreditCategory, InformationValidation, LivenessSettings, Person, Project, ProjectFlow,
    Registration, SearchMode, now_iso,
};
use crate::api::{ObjectId, Os, QualityCode, RegistrationStatus, Score};

/// Numbered schema migrations; entry `i` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clients (
    id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, seeded INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE collections (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), code TEXT NOT NULL,
    name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE projects (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), name TEXT NOT NULL,
    collection_id TEXT REFERENCES collections(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE project_flows (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id),
    project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
    min_score INTEGER NOT NULL, search_mode TEXT NOT NULL, search_min_score INTEGER NOT NULL,
    attempt_limit INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE app_registrations (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id),
    project_id TEXT NOT NULL REFERENCES projects(id), project_flow_id TEXT NOT NULL REFERENCES project_flows(id),
    status TEXT NOT NULL, email TEXT, phone TEXT, country_code TEXT, full_name TEXT, first_name TEXT,
    last_name TEXT, language TEXT NOT NULL, current_step TEXT NOT NULL, information_validation_id TEXT,
    biometric_validation_id TEXT, person_id TEXT, assigned_collection_id TEXT,
    failed_attempts INTEGER NOT NULL, attempt_limit INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE information_validations (
    id TEXT PRIMARY KEY, app_registration_id TEXT NOT NULL, full_name TEXT, first_name TEXT, last_name TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE persons (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, app_registration_id TEXT NOT NULL, collection_id TEXT NOT NULL,
    name TEXT NOT NULL, active INTEGER NOT NULL, liveness_score INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX persons_by_registration ON persons(app_registration_id);
CREATE TABLE biometric_validations (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, project_id TEXT NOT NULL, project_flow_id TEXT NOT NULL,
    app_registration_id TEXT NOT NULL, person_id TEXT NOT NULL, os TEXT NOT NULL,
    liveness_score INTEGER NOT NULL, minimum_score INTEGER NOT NULL, image_digest TEXT NOT NULL,
    replaced INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE failed_biometric_validations (
    id TEXT PRIMARY KEY, app_registration_id TEXT NOT NULL, failure_kind TEXT NOT NULL,
    failure_reason TEXT NOT NULL, liveness_score INTEGER, os TEXT NOT NULL, image_digest TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE credits (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), amount INTEGER NOT NULL,
    category TEXT NOT NULL, description TEXT NOT NULL, reference TEXT, created_at TEXT NOT NULL);
CREATE INDEX credits_by_client ON credits(client_id, category);
CREATE TABLE liveness_script (
    app_registration_id TEXT NOT NULL, seq INTEGER NOT NULL, score INTEGER, quality TEXT,
    PRIMARY KEY (app_registration_id, seq));
"#];

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
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
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
    pub fn call_blocking<R>(&self, f: impl FnOnce(&mut Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
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

fn new_id() -> String {
    ObjectId::generate().to_string()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let _ = getrandom::fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seeds the first client (once) and returns its token; a given token replaces the stored one.
pub fn seed(conn: &mut Connection, client_token: Option<&str>) -> Result<Seeded, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if tx
        .query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| r.get::<_, String>(0))
        .optional()?
        .is_none()
    {
        tx.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?1)", [random_hex(32)])?;
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
                None => (format!("vkc_{}", random_hex(20)), true),
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
            insert_credit(&tx, &client, SEED_CREDITS, CreditCategory::Purchase, "initial balance", None)?;
            Seeded { client, client_token: token, token_was_generated: generated }
        }
    };
    tx.commit()?;
    Ok(seeded)
}

pub fn jwt_secret(conn: &Connection) -> Result<String, StoreError> {
    conn.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::Corrupt("no jwt secret; the store was not seeded".into()))
}

pub fn insert_client(conn: &Connection, token: &str, seeded: bool) -> Result<String, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO clients (id, token, seeded, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, token, seeded, now_iso()],
    )?;
    Ok(id)
}

/// Creates a project, with its own collection when `with_collection`.
pub fn insert_project(
    conn: &Connection,
    client: &str,
    name: &str,
    with_collection: bool,
) -> Result<String, StoreError> {
    let now = now_iso();
    let collection = if with_collection {
        let id = new_id();
        conn.execute(
            "INSERT INTO collections (id, client_id, code, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, client, random_hex(16), format!("default collection for {name}"), now],
        )?;
        Some(id)
    } else {
        None
    };
    let id = new_id();
    conn.execute(
        "INSERT INTO projects (id, client_id, name, collection_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id, client, name, collection, now],
    )?;
    Ok(id)
}

pub fn insert_flow(
    conn: &Connection,
    client: &str,
    project: &str,
    name: &str,
    l: LivenessSettings,
) -> Result<String, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO project_flows (id, client_id, project_id, name, min_score, search_mode, search_min_score,
             attempt_limit, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id,
            client,
            project,
            name,
            l.min_score.hundredths(),
            l.search_mode.as_str(),
            l.search_min_score.hundredths(),
            l.attempt_limit,
            now_iso()
        ],
    )?;
    Ok(id)
}

pub fn insert_credit(
    conn: &Connection,
    client: &str,
    amount: i64,
    category: CreditCategory,
    description: &str,
    reference: Option<&str>,
) -> Result<String, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO credits (id, client_id, amount, category, description, reference, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, client, amount, category.as_str(), description, reference, now_iso()],
    )?;
    Ok(id)
}

pub fn client_by_token(conn: &Connection, token: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT id FROM clients WHERE token = ?1", [token], |r| r.get(0)).optional()?)
}

const PROJECT_COLS: &str = "id, client_id, name, collection_id, created_at, updated_at";

fn project_from(r: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: r.get(0)?,
        client: r.get(1)?,
        name: r.get(2)?,
        collection: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

pub fn projects(conn: &Connection, client: &str) -> Result<Vec<Project>, StoreError> {
    let mut st = conn.prepare(&format!("SELECT {PROJECT_COLS} FROM projects WHERE client_id = ?1 ORDER BY rowid"))?;
    let rows = st.query_map([client], project_from)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn project(conn: &Connection, id: &str) -> Result<Option<Project>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {PROJECT_COLS} FROM projects WHERE id = ?1"), [id], project_from).optional()?)
}

const FLOW_COLS: &str =
    "id, client_id, project_id, name, min_score, search_mode, search_min_score, attempt_limit, created_at, updated_at";

fn flow_from(r: &Row<'_>) -> rusqlite::Result<ProjectFlow> {
    let score = |i: usize| -> rusqlite::Result<Score> {
        let h: u8 = r.get(i)?;
        Score::from_hundredths(h)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, Box::new(e)))
    };
    let mode: String = r.get(5)?;
    Ok(ProjectFlow {
        id: r.get(0)?,
        client: r.get(1)?,
        project: r.get(2)?,
        name: r.get(3)?,
        liveness: LivenessSettings {
            min_score: score(4)?,
            search_mode: SearchMode::parse(&mode).unwrap_or(SearchMode::Accurate),
            search_min_score: score(6)?,
            attempt_limit: r.get(7)?,
        },
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn flows(conn: &Connection, client: &str) -> Result<Vec<ProjectFlow>, StoreError> {
    let mut st = conn.prepare(&format!("SELECT {FLOW_COLS} FROM project_flows WHERE client_id = ?1 ORDER BY rowid"))?;
    let rows = st.query_map([client], flow_from)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn flow(conn: &Connection, id: &str) -> Result<Option<ProjectFlow>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {FLOW_COLS} FROM project_flows WHERE id = ?1"), [id], flow_from).optional()?)
}

const REG_COLS: &str = "id, client_id, project_id, project_flow_id, status, email, phone, country_code, full_name,
    first_name, last_name, language, current_step, information_validation_id, biometric_validation_id, person_id,
    assigned_collection_id, failed_attempts, attempt_limit, created_at, updated_at";

fn registration_from(r: &Row<'_>) -> rusqlite::Result<Registration> {
    let status: String = r.get(4)?;
    let status = status
        .parse::<RegistrationStatus>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(Registration {
        id: r.get(0)?,
        client: r.get(1)?,
        project: r.get(2)?,
        project_flow: r.get(3)?,
        status,
        email: r.get(5)?,
        phone: r.get(6)?,
        country_code: r.get(7)?,
        full_name: r.get(8)?,
        first_name: r.get(9)?,
        last_name: r.get(10)?,
        language: r.get(11)?,
        current_step: r.get(12)?,
        information_validation: r.get(13)?,
        biometric_validation: r.get(14)?,
        person: r.get(15)?,
        assigned_collection: r.get(16)?,
        failed_attempts: r.get(17)?,
        attempt_limit: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
    })
}

pub fn registration(conn: &Connection, id: &str) -> Result<Option<Registration>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {REG_COLS} FROM app_registrations WHERE id = ?1"), [id], registration_from)
        .optional()?)
}

/// The fields a caller supplies when creating an App Registration.
#[derive(Debug, Clone, Default)]
pub struct NewRegistration {
    pub client: String,
    pub project: String,
    pub project_flow: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country_code: Option<String>,
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: Option<String>,
}

pub fn create_registration(
    conn: &mut Connection,
    new: NewRegistration,
    status: RegistrationStatus,
) -> Result<(Registration, InformationValidation), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let flow = flow(&tx, &new.project_flow)?
        .ok_or_else(|| StoreError::Corrupt(format!("project flow {} vanished", new.project_flow)))?;
    let collection: Option<String> =
        tx.query_row("SELECT collection_id FROM projects WHERE id = ?1", [&new.project], |r| r.get(0))?;
    let now = now_iso();
    let id = new_id();
    let info = InformationValidation {
        id: new_id(),
        full_name: new.full_name.clone().or_else(|| join_names(&new.first_name, &new.last_name)),
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
    };
    tx.execute(
        "INSERT INTO information_validations (id, app_registration_id, full_name, first_name, last_name, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![info.id, id, info.full_name, info.first_name, info.last_name, now],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO app_registrations ({REG_COLS}) VALUES
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, '1', ?13, NULL, NULL, ?14, 0, ?15, ?16, ?16)"
        ),
        params![
            id,
            new.client,
            new.project,
            new.project_flow,
            status.as_str(),
            new.email,
            new.phone,
            new.country_code,
            info.full_name,
            new.first_name,
            new.last_name,
            new.language.unwrap_or_else(|| "en".into()),
            info.id,
            collection,
            flow.liveness.attempt_limit,
            now
        ],
    )?;
    let reg =
        registration(&tx, &id)?.ok_or_else(|| StoreError::Corrupt("registration not readable after insert".into()))?;
    tx.commit()?;
    Ok((reg, info))
}

fn join_names(first: &Option<String>, last: &Option<String>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    }
}

/// Moves an active registration to `status`; `None` if it does not exist, `Some(Err)` if not active.
pub fn sync_registration(
    conn: &mut Connection,
    id: &str,
    step: &str,
    status: RegistrationStatus,
) -> Result<Option<Result<Registration, Registration>>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(reg) = registration(&tx, id)? else { return Ok(None) };
    if !reg.status.is_active() {
        return Ok(Some(Err(reg)));
    }
    tx.execute(
        "UPDATE app_registrations SET status = ?1, current_step = ?2, updated_at = ?3 WHERE id = ?4",
        params![status.as_str(), step, now_iso(), id],
    )?;
    let updated = registration(&tx, id)?.ok_or_else(|| StoreError::Corrupt("registration vanished".into()))?;
    tx.commit()?;
    Ok(Some(Ok(updated)))
}

pub fn information_validation(conn: &Connection, id: &str) -> Result<Option<InformationValidation>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, full_name, first_name, last_name FROM information_validations WHERE id = ?1",
            [id],
            |r| {
                Ok(InformationValidation {
                    id: r.get(0)?,
                    full_name: r.get(1)?,
                    first_name: r.get(2)?,
                    last_name: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn score_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Score> {
    let h: u8 = r.get(i)?;
    Score::from_hundredths(h)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, Box::new(e)))
}

pub fn person(conn: &Connection, id: &str) -> Result<Option<Person>, StoreError> {
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

pub fn biometric_validation(conn: &Connection, id: &str) -> Result<Option<BiometricValidation>, StoreError> {
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

pub fn balance(conn: &Connection, client: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(CASE category WHEN 'purchase' THEN amount ELSE -amount END), 0) FROM credits WHERE client_id = ?1",
        [client],
        |r| r.get(0),
    )?)
}

/// One page of a client's credit records, newest first, and the total count.
pub fn credits(
    conn: &Connection,
    client: &str,
    category: Option<CreditCategory>,
    page: u32,
    per_page: u32,
) -> Result<(Vec<Credit>, u64), StoreError> {
    let cat = category.map(CreditCategory::as_str);
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM credits WHERE client_id = ?1 AND (?2 IS NULL OR category = ?2)",
        params![client, cat],
        |r| r.get(0),
    )?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let mut st = conn.prepare(
        "SELECT id, client_id, amount, category, description, reference, created_at FROM credits
             WHERE client_id = ?1 AND (?2 IS NULL OR category = ?2) ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4",
    )?;
    let rows = st
        .query_map(params![client, cat, per_page, offset], |r| {
            let category: String = r.get(3)?;
            Ok(Credit {
                id: r.get(0)?,
                client: r.get(1)?,
                amount: r.get(2)?,
                category: CreditCategory::parse(&category).unwrap_or(CreditCategory::Usage),
                description: r.get(4)?,
                reference: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((rows, total.max(0) as u64))
}

/// Replaces a registration's scripted liveness outcomes.
pub fn set_script(conn: &Connection, registration: &str, script: &[Assessment]) -> Result<(), StoreError> {
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
pub fn pop_script(conn: &mut Connection, registration: &str) -> Result<Option<Assessment>, StoreError> {
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
pub struct Failure {
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
pub fn record_failure(conn: &mut Connection, f: &Failure) -> Result<Option<Registration>, StoreError> {
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
pub fn failures(conn: &Connection, registration: &str) -> Result<Vec<(String, String, Option<u8>)>, StoreError> {
    let mut st = conn.prepare(
        "SELECT failure_kind, failure_reason, liveness_score FROM failed_biometric_validations
             WHERE app_registration_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = st.query_map([registration], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A passed liveness check to turn into a person, a validation and a charge.
#[derive(Debug, Clone)]
pub struct Success {
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
pub enum Commit {
    Registered(Box<Registration>),
    NotFound,
    CollectionNotSet,
    PersonAlreadySet,
    PaymentRequired,
}

/// Re-checks every precondition and then creates the person and the validation and charges one
/// credit, all in one transaction. Re-checking here, not only before the (slow) liveness step, is what
/// keeps racing first validations from creating two persons or charging twice.
pub fn commit_success(conn: &mut Connection, s: &Success) -> Result<Commit, StoreError> {
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
    let person = new_id();
    let name = reg
        .full_name
        .clone()
        .or_else(|| reg.email.clone())
        .or_else(|| reg.phone.clone())
        .unwrap_or_else(|| reg.id.clone());
    tx.execute(
        "INSERT INTO persons (id, client_id, app_registration_id, collection_id, name, active, liveness_score, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)",
        params![person, reg.client, reg.id, collection, name, s.score.hundredths(), now],
    )?;
    let bv = new_id();
    tx.execute(
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
            s.os.as_str(),
            s.score.hundredths(),
            s.minimum.hundredths(),
            s.image_digest,
            now
        ],
    )?;
    tx.execute(
        "UPDATE app_registrations SET person_id = ?1, biometric_validation_id = ?2, assigned_collection_id = ?3,
             updated_at = ?4 WHERE id = ?5",
        params![person, bv, collection, now, reg.id],
    )?;
    insert_credit(&tx, &reg.client, 1, CreditCategory::Usage, "app-registration biometric validation", Some(&bv))?;
    let after = registration(&tx, &reg.id)?.ok_or_else(|| StoreError::Corrupt("registration vanished".into()))?;
    tx.commit()?;
    Ok(Commit::Registered(Box::new(after)))
}

/// The collection a registration's biometrics go to: its own, or else its project's.
pub fn collection_of(conn: &Connection, reg: &Registration) -> Result<Option<String>, StoreError> {
    if let Some(c) = &reg.assigned_collection {
        return Ok(Some(c.clone()));
    }
    Ok(conn
        .query_row("SELECT collection_id FROM projects WHERE id = ?1", [&reg.project], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten())
}

/// Sets a registration's person directly, for the provider state "person already set".
pub fn attach_existing_person(conn: &Connection, reg: &Registration, score: Score) -> Result<(), StoreError> {
    let collection =
        collection_of(conn, reg)?.ok_or_else(|| StoreError::Corrupt("person needs a collection".into()))?;
    let now = now_iso();
    let person = new_id();
    conn.execute(
        "INSERT INTO persons (id, client_id, app_registration_id, collection_id, name, active, liveness_score, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)",
        params![person, reg.client, reg.id, collection, "provider state person", score.hundredths(), now],
    )?;
    let bv = new_id();
    conn.execute(
        "INSERT INTO biometric_validations (id, client_id, project_id, project_flow_id, app_registration_id, person_id, os,
             liveness_score, minimum_score, image_digest, replaced, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'DESKTOP', ?7, 60, 'provider-state', 0, ?8, ?8)",
        params![bv, reg.client, reg.project, reg.project_flow, reg.id, person, score.hundredths(), now],
    )?;
    conn.execute(
        "UPDATE app_registrations SET person_id = ?1, biometric_validation_id = ?2, assigned_collection_id = ?3 WHERE id = ?4",
        params![person, bv, collection, reg.id],
    )?;
    Ok(())
}

/// Forces a status and attempt count, for provider states only.
pub fn force_status(
    conn: &Connection,
    id: &str,
    status: RegistrationStatus,
    failed_attempts: u32,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE app_registrations SET status = ?1, failed_attempts = ?2 WHERE id = ?3",
        params![status.as_str(), failed_attempts, id],
    )?;
    Ok(())
}

/// An active registration of the same flow with the same e-mail or phone, which the vendor re-issues
/// instead of creating a second one.
pub fn find_active_by_contact(
    conn: &Connection,
    project_flow: &str,
    email: Option<&str>,
    phone: Option<(&str, &str)>,
) -> Result<Option<Registration>, StoreError> {
    let (phone, cc) = phone.unzip();
    Ok(conn
        .query_row(
            &format!(
                "SELECT {REG_COLS} FROM app_registrations WHERE project_flow_id = ?1 AND status IN ('STARTED', 'ONGOING')
                     AND ((?2 IS NOT NULL AND email = ?2) OR (?3 IS NOT NULL AND phone = ?3 AND country_code = ?4))
                     ORDER BY created_at DESC LIMIT 1"
            ),
            params![project_flow, email, phone, cc],
            registration_from,
        )
        .optional()?)
}
