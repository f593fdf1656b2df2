//! Stores the list items of rows that have none at their revision: rows written before
//! migration 0007, or since by a node of an earlier release. A list renders such a row on every
//! read until its next write; `rapd migrate` fills them in (at open it would hold up every start:
//! a full scan, and on a file seeded with SQL seconds of rendering).

use rapd_model::{ApiVersion, Partner, wire};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::rows::partner_from_row;
use crate::query_sql::SELECT_PARTNER_COLUMNS;

/// Rows per transaction, so that a write never waits long behind one.
const BATCH: i64 = 500;

/// Only at the revision read and while the row still lacks its items: a write in between wins.
const UPDATE: &str = "UPDATE partners SET json_v1 = ?3, json_beta = ?4, \
     json_revision = revision WHERE tenant_id = ?1 AND id = ?2 AND revision = ?5 \
     AND created = ?6 AND json_revision IS NOT revision";

/// Fills in every row's missing items, in batches in key order; returns how many it filled.
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<usize> {
    let (first, next) = (
        format!(
            "{SELECT_PARTNER_COLUMNS} WHERE json_revision IS NOT revision \
             ORDER BY tenant_id, id LIMIT ?1"
        ),
        format!(
            "{SELECT_PARTNER_COLUMNS} WHERE json_revision IS NOT revision \
             AND (tenant_id, id) > (?2, ?3) ORDER BY tenant_id, id LIMIT ?1"
        ),
    );
    let mut filled = 0;
    let mut after: Option<Partner> = None;
    loop {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let batch: Vec<Partner> = match &after {
            None => tx
                .prepare(&first)?
                .query_map(params![BATCH], partner_from_row)?
                .collect::<rusqlite::Result<_>>()?,
            Some(p) => tx
                .prepare(&next)?
                .query_map(
                    params![BATCH, p.tenant.0.as_bytes(), p.id.0.as_bytes()],
                    partner_from_row,
                )?
                .collect::<rusqlite::Result<_>>()?,
        };
        let mut update = tx.prepare(UPDATE)?;
        for p in &batch {
            filled += update.execute(params![
                p.tenant.0.as_bytes(),
                p.id.0.as_bytes(),
                wire::stored_entity(p, ApiVersion::V1),
                wire::stored_entity(p, ApiVersion::Beta),
                p.revision,
                p.created.as_micros(),
            ])?;
        }
        drop(update);
        tx.commit()?;
        if batch.len() < BATCH as usize {
            return Ok(filled);
        }
        after = batch.into_iter().last();
    }
}
