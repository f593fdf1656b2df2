//! The PostgreSQL leg: a database of its own for every run, so runs never collide, made and
//! dropped with `psql` against the server the given URL names.

use std::process::Command;

use anyhow::{Context, bail};

/// A database created for this run; dropped again by [`RunDatabase::drop_now`].
pub struct RunDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl RunDatabase {
    /// Creates `rapd_crashloop_<random>` on the server of `base_url` and returns its URL.
    pub fn create(base_url: &str) -> anyhow::Result<RunDatabase> {
        let name = format!("rapd_crashloop_{}", uuid::Uuid::new_v4().simple());
        let (before_path, query) = match base_url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (base_url, None),
        };
        let scheme_end = before_path
            .find("://")
            .context("database URL has no scheme")?
            + 3;
        let server = match before_path[scheme_end..].find('/') {
            Some(slash) => &before_path[..scheme_end + slash],
            None => before_path,
        };
        let with_query = |db: &str| match query {
            Some(q) => format!("{server}/{db}?{q}"),
            None => format!("{server}/{db}"),
        };
        let admin_url = with_query("postgres");
        psql(&admin_url, &format!("CREATE DATABASE {name}"))?;
        Ok(RunDatabase {
            url: with_query(&name),
            admin_url,
            name,
        })
    }

    pub fn drop_now(self) -> anyhow::Result<()> {
        psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        )
    }
}

fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .output()
        .context("running psql (install postgresql-client)")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
