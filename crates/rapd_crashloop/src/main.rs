//! `rapd-crashloop`: runs a mixed write load against the real `rapd` binary, SIGKILLs it at
//! random moments, restarts it on the same data, and checks after every restart that each
//! acknowledged write is still there and each write in doubt is wholly applied or not at all;
//! at the end, that the audit trail holds exactly one record per applied write. Prints
//! `kills=N acknowledged=N lost=N` and exits non-zero on any loss or violation.
//!
//! SQLite by default (a fresh data directory); `--database-url postgres://…` runs on
//! PostgreSQL in a database created for the run.
//!
//! ## Map
//!
//! The `rapd-crashloop` tool: a mixed write load against the real binary,
//! SIGKILLs, restarts, and a ledger that proves no acknowledged write was lost or half-applied
//! (`ledger.rs`, `load.rs`, `verify.rs`). Test tooling. Key types: `Launch`, `Writer`, `Book`,
//! `AuditTally`, `Findings`.

mod database;
mod ledger;
mod load;
mod server;
mod verify;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::ledger::{AuditTally, Book};
use crate::load::Writer;
use crate::server::Launch;
use crate::verify::Findings;

#[derive(Debug, Parser)]
#[command(about = "SIGKILL rapd under a write load and prove nothing acknowledged is lost")]
struct Args {
    /// How many times to kill the server.
    #[arg(long, default_value_t = 50)]
    kills: u32,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// Longest load before a kill, in milliseconds (each kill comes at a random moment up to it).
    #[arg(long, default_value_t = 400)]
    max_load_ms: u64,
    /// The rapd binary [default: `rapd` next to this tool].
    #[arg(long)]
    rapd: Option<PathBuf>,
    /// Run on PostgreSQL: a server URL (`postgres://user@host/db`); a database is created
    /// on that server for the run and dropped after it.
    #[arg(long)]
    database_url: Option<String>,
    /// Seed of the random load and kill moments [default: random, printed].
    #[arg(long)]
    seed: Option<u64>,
}

const AUDIT_SCOPE: &str = "DeviceManagementApps.Read.All";
const WRITE_SCOPE: &str = "DeviceManagementServiceConfig.ReadWrite.All";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = args
        .rapd
        .clone()
        .or_else(server::sibling_binary)
        .context("no rapd binary: build it or pass --rapd")?;
    let dir = tempfile::tempdir()?;
    let database = match &args.database_url {
        Some(url) => Some(database::RunDatabase::create(url)?),
        None => None,
    };
    let launch = Launch {
        binary,
        data_dir: dir.path().to_owned(),
        database_url: database.as_ref().map(|d| d.url.clone()),
    };
    let outcome = run(&args, &launch).await;
    if let Some(database) = database {
        database.drop_now()?;
    }
    outcome
}

async fn run(args: &Args, launch: &Launch) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(rand::random);
    let engine = if launch.database_url.is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "crash loop: engine={engine} kills={} writers={} seed={seed}",
        args.kills, args.writers
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let tenant = uuid::Uuid::new_v4();
    // Minted once the first server has made the development issuer's key in the data directory.
    let mut tokens: Option<(String, String)> = None;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut books: Vec<Book> = (0..args.writers).map(|_| Book::default()).collect();
    let mut tally = AuditTally::default();
    let mut findings = Findings::default();
    let mut sequences = vec![0u64; args.writers];
    let mut refused = Vec::new();
    let started = Instant::now();

    for kill in 0..=args.kills {
        let server = launch.start().await?;
        let (token, auditor) = match &tokens {
            Some(minted) => minted.clone(),
            None => tokens
                .insert((
                    launch.token(tenant, WRITE_SCOPE)?,
                    launch.token(tenant, AUDIT_SCOPE)?,
                ))
                .clone(),
        };
        let partners_url = format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners",
            server.origin
        );
        // Before new load: everything acknowledged so far must have survived the last kill.
        let shown = verify::collect(&client, partners_url.clone(), &token).await?;
        verify::reconcile(&shown, &mut books, &mut tally, &mut findings);
        if kill == args.kills {
            let audit_url = format!("{}/v1.0/deviceManagement/auditEvents", server.origin);
            let events = verify::collect(&client, audit_url, &auditor).await?;
            verify::check_audit(&events, &tally, &mut findings);
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = books
            .drain(..)
            .enumerate()
            .map(|(number, book)| {
                let mut writer = Writer {
                    number,
                    client: client.clone(),
                    partners_url: partners_url.clone(),
                    token: token.clone(),
                    book,
                    tally: AuditTally::default(),
                    rng: StdRng::seed_from_u64(rng.r#gen()),
                    stop: stop.clone(),
                    sequence: sequences[number],
                };
                tokio::spawn(async move {
                    let refusals = writer.run().await;
                    (writer, refusals)
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(1..=args.max_load_ms))).await;
        server.kill9()?;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            let (writer, refusals) = task.await?;
            sequences[writer.number] = writer.sequence;
            for (key, bounds) in writer.tally.0 {
                let total = tally.0.entry(key).or_default();
                total.min += bounds.min;
                total.max += bounds.max;
            }
            books.push(writer.book);
            refused.extend(refusals);
        }
    }

    let acknowledged: u64 = books.iter().map(|b| b.acknowledged).sum();
    // Shedding (503) is an honest refusal; any other refusal of a write to a partner the
    // writer owns means the server forgot it or broke.
    for (write, status) in &refused {
        if *status != 503 {
            findings
                .violations
                .push(format!("{write} refused with {status}"));
        }
    }
    for violation in findings.violations.iter().take(20) {
        eprintln!("violation: {violation}");
    }
    println!(
        "kills={} acknowledged={acknowledged} lost={} in_doubt={} (committed {}) violations={} refused={} elapsed={:.1}s",
        args.kills,
        findings.lost,
        findings.in_doubt,
        findings.in_doubt_applied,
        findings.violations.len(),
        refused.len(),
        started.elapsed().as_secs_f64()
    );
    if findings.lost > 0 || !findings.violations.is_empty() {
        bail!("the crash loop found lost or half-applied writes");
    }
    if acknowledged == 0 {
        bail!("no write was acknowledged: the load never ran");
    }
    Ok(())
}
