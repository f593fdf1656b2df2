//! The real `rapd` binary as a child process: started on a free loopback port, killed with
//! SIGKILL, started again on the same data.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How every instance of one run is started.
pub struct Launch {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// `RAPD_DATABASE_URL`, when the run is on PostgreSQL.
    pub database_url: Option<String>,
}

pub struct Server {
    child: Child,
    pub origin: String,
}

impl Launch {
    /// Starts `rapd serve` and waits until `/healthz` answers.
    pub async fn start(&self) -> anyhow::Result<Server> {
        let mut command = Command::new(&self.binary);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&self.data_dir)
            .env("RAPD_LOG", "error")
            .env("RAPD_THROTTLING", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = &self.database_url {
            command.env("RAPD_DATABASE_URL", url);
        }
        let mut child = command.spawn().context("starting rapd")?;
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let origin = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.split(" on ").nth(1)?;
                rest.starts_with("http://").then(|| rest.trim().to_owned())
            })
            .context("rapd did not print its address")?;
        std::thread::spawn(move || lines.for_each(drop)); // keep the pipe drained
        let server = Server { child, origin };
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = reqwest::Client::new();
        loop {
            let health = client
                .get(format!("{}/healthz", server.origin))
                .send()
                .await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("rapd did not become healthy");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// `rapd token` for `tenant` with `scope`, valid for a day.
    pub fn token(&self, tenant: uuid::Uuid, scope: &str) -> anyhow::Result<String> {
        let tenant = tenant.to_string();
        let out = Command::new(&self.binary)
            .args([
                "token", "--ttl", "86400", "--tenant", &tenant, "--scope", scope,
            ])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .output()
            .context("running rapd token")?;
        if !out.status.success() {
            bail!("rapd token: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }
}

impl Server {
    /// SIGKILL: no drain, no flush, as a crash or an OOM kill.
    pub fn kill9(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `rapd` next to this tool (same target directory and profile), if there is one.
pub fn sibling_binary() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    let candidate = me.parent()?.join("rapd");
    candidate.is_file().then_some(candidate)
}
