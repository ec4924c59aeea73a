//! Clients and their credit ledger: the seeded client, balances and the credits list.

use rusqlite::{Connection, OptionalExtension, params};

use super::*;

pub(crate) fn insert_client(conn: &Connection, token: &str, seeded: bool) -> Result<String, StoreError> {
    let id = new_id();
    conn.execute(
        "INSERT INTO clients (id, token, seeded, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, token, seeded, now_iso()],
    )?;
    Ok(id)
}

pub(crate) fn insert_credit(
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

pub(crate) fn client_by_token(conn: &Connection, token: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT id FROM clients WHERE token = ?1", [token], |r| r.get(0)).optional()?)
}

pub(crate) fn balance(conn: &Connection, client: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(CASE category WHEN 'purchase' THEN amount ELSE -amount END), 0) FROM credits WHERE client_id = ?1",
        [client],
        |r| r.get(0),
    )?)
}

/// One page of a client's credit records, newest first, and the total count.
pub(crate) fn credits(
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
                category: category.parse().unwrap_or(CreditCategory::Usage),
                description: r.get(4)?,
                reference: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((rows, total.max(0) as u64))
}
