//! Projects, their collections and project flows (the liveness settings a registration is judged by).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::*;

/// Creates a project, with its own collection when `with_collection`.
pub(crate) fn insert_project(
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
            params![id, client, random_hex(16)?, format!("default collection for {name}"), now],
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

pub(crate) fn insert_flow(
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

pub(super) const PROJECT_COLS: &str = "id, client_id, name, collection_id, created_at, updated_at";

pub(super) fn project_from(r: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: r.get(0)?,
        client: r.get(1)?,
        name: r.get(2)?,
        collection: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

pub(crate) fn projects(conn: &Connection, client: &str) -> Result<Vec<Project>, StoreError> {
    let mut st = conn.prepare(&format!("SELECT {PROJECT_COLS} FROM projects WHERE client_id = ?1 ORDER BY rowid"))?;
    let rows = st.query_map([client], project_from)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub(crate) fn project(conn: &Connection, id: &str) -> Result<Option<Project>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {PROJECT_COLS} FROM projects WHERE id = ?1"), [id], project_from).optional()?)
}

pub(super) const FLOW_COLS: &str =
    "id, client_id, project_id, name, min_score, search_mode, search_min_score, attempt_limit, created_at, updated_at";

pub(super) fn flow_from(r: &Row<'_>) -> rusqlite::Result<ProjectFlow> {
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
            search_mode: mode.parse().unwrap_or(SearchMode::Accurate),
            search_min_score: score(6)?,
            attempt_limit: r.get(7)?,
        },
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub(crate) fn flows(conn: &Connection, client: &str) -> Result<Vec<ProjectFlow>, StoreError> {
    let mut st = conn.prepare(&format!("SELECT {FLOW_COLS} FROM project_flows WHERE client_id = ?1 ORDER BY rowid"))?;
    let rows = st.query_map([client], flow_from)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub(crate) fn flow(conn: &Connection, id: &str) -> Result<Option<ProjectFlow>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {FLOW_COLS} FROM project_flows WHERE id = ?1"), [id], flow_from).optional()?)
}

/// The collection a registration's biometrics go to: its own, or else its project's.
pub(crate) fn collection_of(conn: &Connection, reg: &Registration) -> Result<Option<String>, StoreError> {
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
