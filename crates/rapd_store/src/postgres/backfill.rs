//! Stores the list items of rows that have none at their revision: rows written before
//! migration 0007, or since by a node of an earlier release. A list renders such a row on every
//! read until its next write; `rapd migrate` fills them in (at open it would hold up every start:
//! a full scan, and on a table seeded with SQL seconds of rendering).

use deadpool_postgres::Object;
use rapd_model::{ApiVersion, Partner, wire};

use super::rows::{db_error, partner_from_row};
use crate::{StoreError, query_sql::SELECT_PARTNER_COLUMNS};

/// Rows per transaction, so that a write never waits long behind one.
const BATCH: i64 = 500;

/// Only at the revision read and while the row still lacks its items: a write that commits in
/// between (on any node) wins, and a write waiting for the row finds it unchanged.
const UPDATE: &str = "UPDATE partners SET json_v1 = $3, json_beta = $4, \
     json_revision = revision WHERE tenant_id = $1 AND id = $2 AND revision = $5 \
     AND created = $6 AND json_revision IS DISTINCT FROM revision";

/// Fills in every row's missing items, in batches in key order; returns how many it filled.
pub(super) async fn backfill(client: &mut Object) -> Result<u64, StoreError> {
    let (first, next) = (
        format!(
            "{SELECT_PARTNER_COLUMNS} WHERE json_revision IS DISTINCT FROM revision \
             ORDER BY tenant_id, id LIMIT $1"
        ),
        format!(
            "{SELECT_PARTNER_COLUMNS} WHERE json_revision IS DISTINCT FROM revision \
             AND (tenant_id, id) > ($2, $3) ORDER BY tenant_id, id LIMIT $1"
        ),
    );
    let mut filled = 0;
    let mut after: Option<Partner> = None;
    loop {
        let tx = client.transaction().await.map_err(db_error)?;
        let rows = match &after {
            None => tx.query(&first, &[&BATCH]).await,
            Some(p) => tx.query(&next, &[&BATCH, &p.tenant.0, &p.id.0]).await,
        }
        .map_err(db_error)?;
        let batch = rows
            .iter()
            .map(partner_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let update = tx.prepare(UPDATE).await.map_err(db_error)?;
        for p in &batch {
            let (v1, beta) = (
                wire::stored_entity(p, ApiVersion::V1),
                wire::stored_entity(p, ApiVersion::Beta),
            );
            filled += tx
                .execute(
                    &update,
                    &[
                        &p.tenant.0,
                        &p.id.0,
                        &v1,
                        &beta,
                        &p.revision,
                        &p.created.as_micros(),
                    ],
                )
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        if batch.len() < BATCH as usize {
            return Ok(filled);
        }
        after = batch.into_iter().last();
    }
}
