//! A write transaction whose first statements travel with its `BEGIN`, and whose last ones
//! travel together before its `COMMIT`.
//!
//! tokio-postgres sends a prepared statement the first time its future is polled, and the server
//! runs what one connection sent in the order sent. So statements polled together, in order
//! (`join!(biased; …)`), go out in one round trip and run as if awaited one by one. A partner's
//! write is then three round trips (`BEGIN` with its key lock and the row's read; the row with
//! its audit record; `COMMIT`) rather than five.
//!
//! Only statements prepared beforehand may be pipelined, so a transaction's writes go through
//! its [`Writer`], whose statements are ([`super::writer`]).
//!
//! `COMMIT` goes out only once the writes have answered. Sent with them, it would sit in the
//! server's queue behind them, and the server carries out what it has received even after this
//! process dies: a write whose caller never heard back (a node killed mid-request) could then
//! commit after a node that replaced it had already answered reads, a change appearing out of
//! nowhere (`rapd-crashloop` found exactly that). Sent alone, what the server can still commit
//! after a crash is a `COMMIT` already in flight, as with any client.

use std::sync::atomic::{AtomicBool, Ordering};

use deadpool_postgres::Object;

use super::{
    rows::db_error,
    writer::{WriteStatements, Writer},
};
use crate::StoreError;

/// One write transaction on a pooled connection. Dropped while open (its future cancelled, or a
/// `ROLLBACK` that failed), it closes the connection rather than return it to the pool inside a
/// transaction; the server then rolls the transaction back.
pub(super) struct WriteTx {
    conn: Option<Object>,
    statements: WriteStatements,
    open: AtomicBool,
}

impl WriteTx {
    /// Prepares the write statements on `conn` (after its first transaction, a lookup in its
    /// cache); nothing is sent until [`WriteTx::begin_with`].
    pub(super) async fn prepare(conn: Object) -> Result<WriteTx, StoreError> {
        Ok(WriteTx {
            statements: WriteStatements::prepare(&conn).await?,
            conn: Some(conn),
            open: AtomicBool::new(false),
        })
    }

    /// The connection, for statements awaited one by one between [`WriteTx::begin_with`] and
    /// [`WriteTx::commit_with`].
    pub(super) fn client(&self) -> &Object {
        self.conn
            .as_ref()
            .expect("the connection is held until drop")
    }

    /// The prepared write statements, which may be pipelined.
    pub(super) fn writer(&self) -> Writer<'_> {
        Writer {
            client: self.client(),
            statements: &self.statements,
        }
    }

    /// Begins a `READ COMMITTED` transaction and sends `first` ([`WriteTx::writer`]'s
    /// statements, polled in order) in the same round trip.
    pub(super) async fn begin_with<T>(
        &self,
        first: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        debug_assert!(!self.is_open(), "a transaction is begun once");
        self.open.store(true, Ordering::Relaxed);
        let begin = async {
            self.client()
                .batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                .await
                .map_err(db_error)
        };
        let ((), value) = tokio::try_join!(biased; begin, first)?;
        Ok(value)
    }

    /// [`WriteTx::begin_with`] nothing: `BEGIN` alone.
    pub(super) async fn begin(&self) -> Result<(), StoreError> {
        self.begin_with(async { Ok(()) }).await
    }

    /// Sends `last` ([`WriteTx::writer`]'s statements, as for [`WriteTx::begin_with`]), and once
    /// they have all answered, `COMMIT`; returns once the commit is durable. An error from `last`
    /// leaves the transaction open for [`WriteTx::roll_back`]. [`StoreError::Conflict`] from
    /// `COMMIT` means it rolled back; any other failure of `COMMIT` leaves the outcome unknown.
    pub(super) async fn commit_with<T>(
        &self,
        last: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        debug_assert!(self.is_open(), "commit follows begin");
        let value = last.await?;
        self.client()
            .batch_execute("COMMIT")
            .await
            .map_err(|e| match db_error(e) {
                StoreError::Conflict(reason) => StoreError::Conflict(reason),
                other => StoreError::Unavailable(format!("commit outcome unknown: {other}")),
            })?;
        self.open.store(false, Ordering::Relaxed);
        Ok(value)
    }

    /// [`WriteTx::commit_with`] nothing: `COMMIT` alone.
    pub(super) async fn commit(&self) -> Result<(), StoreError> {
        self.commit_with(async { Ok(()) }).await
    }

    /// Ends the transaction after an error. If `ROLLBACK` fails, the connection is closed on
    /// drop.
    pub(super) async fn roll_back(&self) {
        if self.is_open() && self.client().batch_execute("ROLLBACK").await.is_ok() {
            self.open.store(false, Ordering::Relaxed);
        }
    }

    fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if self.is_open()
            && let Some(conn) = self.conn.take()
        {
            // Out of the pool and dropped: tokio-postgres closes the socket.
            drop(Object::take(conn));
        }
    }
}
