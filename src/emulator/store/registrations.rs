//! App Registrations: creation (or re-issue for the same contact), status changes and the information
//! validation a registration carries.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::*;

pub(super) const REG_COLS: &str =
    "id, client_id, project_id, project_flow_id, status, email, phone, country_code, full_name,
    first_name, last_name, language, current_step, information_validation_id, biometric_validation_id, person_id,
    assigned_collection_id, failed_attempts, attempt_limit, created_at, updated_at";

pub(super) fn registration_from(r: &Row<'_>) -> rusqlite::Result<Registration> {
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

pub(crate) fn registration(conn: &Connection, id: &str) -> Result<Option<Registration>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {REG_COLS} FROM app_registrations WHERE id = ?1"), [id], registration_from)
        .optional()?)
}

/// The fields a caller supplies when creating an App Registration.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewRegistration {
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

pub(crate) fn create_registration(
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

pub(super) fn join_names(first: &Option<String>, last: &Option<String>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    }
}

/// Moves an active registration to `status`; `None` if it does not exist, `Some(Err)` if not active.
pub(crate) fn sync_registration(
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

pub(crate) fn information_validation(conn: &Connection, id: &str) -> Result<Option<InformationValidation>, StoreError> {
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

/// Forces a status and attempt count, for provider states only.
pub(crate) fn force_status(
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
pub(crate) fn find_active_by_contact(
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
