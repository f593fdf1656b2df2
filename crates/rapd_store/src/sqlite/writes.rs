//! How the SQLite engine runs each write of [`crate::jobs`], on the writer thread inside the
//! job's savepoint; the writer commits the group.

use rapd_model::{AuditEntry, Timestamp, lifecycle};
use rusqlite::Connection;

use super::{control, rows};
use crate::{
    StoreError,
    jobs::{Mutate, PatchSettings, PutTenant, RemoveTenant, Reset, Seed, WriteJob},
};

/// A write the writer thread can run. A new kind of write is a struct in `jobs.rs` and an impl
/// here (and in `postgres/writes.rs`).
pub(super) trait SqliteWrite: WriteJob {
    /// Runs the write on `conn` at `now`; an `Err` rolls back its savepoint.
    fn run(&self, conn: &Connection, now: Timestamp) -> Result<Self::Reply, StoreError>;
}

fn write_error(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl SqliteWrite for Mutate {
    fn run(&self, conn: &Connection, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let Mutate {
            tenant,
            mutation,
            audit,
        } = self;
        let current =
            rows::select_partner(conn, *tenant, mutation.target()).map_err(rows::read_error)?;
        let change = lifecycle::apply(*tenant, current.as_ref(), mutation, now)?;
        if change.is_noop() {
            return Ok(change);
        }
        match (&change.after, &change.before) {
            (Some(after), _) => rows::upsert_partner(conn, after).map_err(write_error)?,
            (None, Some(before)) => rows::delete_partner(conn, before).map_err(write_error)?,
            (None, None) => {}
        }
        let entry = AuditEntry::for_change(*tenant, mutation.kind(), &change, audit, now);
        rows::insert_audit(conn, &entry).map_err(write_error)?;
        Ok(change)
    }
}

impl SqliteWrite for PutTenant {
    fn run(&self, conn: &Connection, _: Timestamp) -> Result<(), StoreError> {
        rows::upsert_tenant(conn, &self.tenant).map_err(write_error)
    }
}

impl SqliteWrite for RemoveTenant {
    fn run(&self, conn: &Connection, _: Timestamp) -> Result<bool, StoreError> {
        rows::delete_tenant(conn, self.id).map_err(write_error)
    }
}

impl SqliteWrite for PatchSettings {
    fn run(&self, conn: &Connection, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let PatchSettings {
            tenant,
            patch,
            audit,
        } = self;
        let current = rows::select_settings(conn, *tenant).map_err(rows::read_error)?;
        let change = lifecycle::apply_settings(*tenant, &current, patch, audit, now);
        rows::upsert_settings(conn, *tenant, &change.after).map_err(write_error)?;
        rows::insert_audit(conn, &change.entry).map_err(write_error)?;
        Ok(change.after)
    }
}

impl SqliteWrite for Reset {
    fn run(&self, conn: &Connection, _: Timestamp) -> Result<(), StoreError> {
        control::reset(conn, self.tenant).map_err(write_error)
    }
}

impl SqliteWrite for Seed {
    fn run(&self, conn: &Connection, now: Timestamp) -> Result<(), StoreError> {
        control::seed(conn, &self.states, &self.audit, now).map_err(write_error)
    }
}
