//! The real `rapd` binary as a child process.

#![allow(dead_code, reason = "each test binary uses part of this module")]

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

pub const RAPD: &str = env!("CARGO_BIN_EXE_rapd");

/// Where a test's rapd keeps its data: the SQLite file in its data directory, or a fresh
/// PostgreSQL schema (dropped with this value).
pub enum Database {
    Sqlite,
    Postgres(rapd_store::testing::TestSchema),
}

impl Database {
    /// A fresh schema in the test database, or `None` when the run was given none.
    pub async fn postgres() -> Option<Database> {
        let url = rapd_store::testing::database_url()?;
        Some(Database::Postgres(
            rapd_store::testing::TestSchema::create(&url).await,
        ))
    }

    /// The environment that points `rapd` at this database.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Database::Sqlite => Vec::new(),
            Database::Postgres(schema) => vec![("RAPD_DATABASE_URL", schema.url.clone())],
        }
    }

    /// The store itself, as a second process would open it, to check what the server wrote.
    pub async fn open_store(
        &self,
        data_dir: &Path,
    ) -> std::sync::Arc<dyn rapd_store::PartnerStore> {
        let clock = std::sync::Arc::new(rapd_model::SystemClock);
        match self {
            Database::Sqlite => std::sync::Arc::new(
                rapd_store::SqliteStore::open(&data_dir.join("rapd.db"), clock).unwrap(),
            ),
            Database::Postgres(schema) => std::sync::Arc::new(
                rapd_store::PostgresStore::open(
                    &schema.options(),
                    clock,
                    rapd_store::Migrations::Require,
                )
                .await
                .unwrap(),
            ),
        }
    }
}

pub struct Server {
    child: Child,
    pub origin: String,
}

/// The `http://…` origin rapd printed in its banner's "serving … on" line, read from `stdout`.
pub fn printed_origin(stdout: &mut impl Iterator<Item = std::io::Result<String>>) -> String {
    stdout
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split(" on ").nth(1)?;
            rest.starts_with("http://").then(|| rest.trim().to_owned())
        })
        .expect("rapd printed its address")
}

impl Server {
    /// Starts `rapd serve` on a free loopback port with `args` and waits until `/healthz` answers.
    pub async fn start(data_dir: &Path, args: &[&str]) -> Server {
        Server::start_with_env(data_dir, args, &[]).await
    }

    /// As [`Server::start`], over `database`, with extra environment variables.
    pub async fn start_on(database: &Database, data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut all: Vec<(&str, &str)> = env.to_vec();
        let database_env = database.env();
        all.extend(database_env.iter().map(|(k, v)| (*k, v.as_str())));
        Server::start_with_env(data_dir, &[], &all).await
    }

    /// As [`Server::start`], with extra environment variables.
    pub async fn start_with_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(RAPD)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .env("RAPD_LOG", "warn")
            .env_remove(rapd_store::testing::DATABASE_URL_VAR)
            .env_remove(rapd_store::testing::ENGINE_VAR)
            .env_remove("RAPD_TEST_REDIS_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let origin = printed_origin(&mut stdout);
        std::thread::spawn(move || stdout.for_each(drop)); // keep the pipe open and drained
        let deadline = Instant::now() + Duration::from_secs(10);
        while reqwest::get(format!("{origin}/healthz"))
            .await
            .map(|r| r.status())
            .ok()
            != Some(reqwest::StatusCode::OK)
        {
            assert!(Instant::now() < deadline, "rapd did not become ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server { child, origin }
    }

    pub fn partners(&self) -> String {
        format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners",
            self.origin
        )
    }

    /// Sends SIGTERM, as an orchestrator stopping the service.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        assert!(status.unwrap().success());
    }

    /// Waits up to `limit` for the process to exit on its own.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGKILL, as a crash.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `rapd ARGS...` to completion.
pub fn rapd(args: &[&str]) -> Output {
    Command::new(RAPD)
        .args(args)
        .env("RAPD_LOG", "warn")
        .output()
        .unwrap()
}

/// `rapd token --data-dir DIR ARGS...`
pub fn token(data_dir: &Path, args: &[&str]) -> String {
    let out = Command::new(RAPD)
        .args(["token", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `GET url` with `token` as the bearer; the body as JSON.
pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> serde_json::Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `POST partners` with `body` as JSON and `token` as the bearer; the new partner's id.
pub async fn create_partner(
    client: &reqwest::Client,
    partners: &str,
    token: &str,
    body: serde_json::Value,
) -> String {
    let created: serde_json::Value = client
        .post(partners)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"]
        .as_str()
        .expect("a created partner has an id")
        .to_owned()
}

/// Sends `request` with `token` as the bearer; the status code.
pub async fn status(request: reqwest::RequestBuilder, token: &str) -> u16 {
    request
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
