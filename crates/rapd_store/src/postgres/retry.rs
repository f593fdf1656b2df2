//! One write transaction, retried when the database refused it for a conflict.
//!
//! Policy: at most [`ATTEMPTS`] attempts, each in a fresh `READ COMMITTED` transaction
//! ([`WriteTx`]), with a jittered backoff that doubles from [`FIRST_BACKOFF`]. Only
//! [`StoreError::Conflict`] (SQLSTATE 40001, 40P01, 23505: the server rolled the transaction
//! back) is retried. A lost connection, a timeout or a failed `COMMIT` is not: whether it
//! committed is unknown, and a retry could apply the write twice. When the attempts run out the caller gets the conflict (a 503).

use std::time::Duration;

use deadpool_postgres::Pool;
use rand::Rng;
use rapd_model::Clock;

use super::{transaction::WriteTx, writes::PostgresWrite};
use crate::StoreError;

pub(super) const ATTEMPTS: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(2);

pub(super) async fn write<J: PostgresWrite>(
    pool: &Pool,
    clock: &dyn Clock,
    job: &J,
) -> Result<J::Reply, StoreError> {
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        match write_once(pool, clock, job).await {
            Err(StoreError::Conflict(reason)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, %reason, "write conflicted; retrying");
                let jitter = rand::thread_rng().gen_range(0..=backoff.as_micros() as u64);
                tokio::time::sleep(backoff + Duration::from_micros(jitter)).await;
                backoff *= 2;
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn write_once<J: PostgresWrite>(
    pool: &Pool,
    clock: &dyn Clock,
    job: &J,
) -> Result<J::Reply, StoreError> {
    let conn = pool
        .get()
        .await
        .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))?;
    let tx = WriteTx::prepare(conn).await?;
    match job.run(&tx, clock.now()).await {
        Ok(reply) => Ok(reply),
        Err(e) => {
            // A refused job writes nothing.
            tx.roll_back().await;
            Err(e)
        }
    }
}
