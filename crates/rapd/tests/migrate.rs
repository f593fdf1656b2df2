//! `rapd migrate` through the binary: the production profile refuses an unmigrated PostgreSQL
//! schema with a clear message, `rapd migrate` brings it up to date, and then the node starts.

mod support;

use std::process::Command;

use support::{Database, RAPD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_waits_for_rapd_migrate() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut env = database.env();
    env.push(("RAPD_PROFILE", "production".into()));
    env.push(("RAPD_DEV_ISSUER", "true".into()));
    let run = |args: &[&str]| {
        Command::new(RAPD)
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env("RAPD_LOG", "warn")
            .env_remove(rapd_store::testing::DATABASE_URL_VAR)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap()
    };

    let refused = run(&["serve", "--listen", "127.0.0.1:0"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("run `rapd migrate` first"), "{stderr}");

    let migrated = run(&["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let said = String::from_utf8_lossy(&migrated.stdout).into_owned();
    let shipped = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rapd_store/migrations/postgres"
    ))
    .unwrap()
    .count();
    assert!(
        said.contains(&format!("applied {shipped} migration(s)"))
            && said.contains(&format!("at version {shipped}")),
        "{said}"
    );
    let again = run(&["migrate"]);
    assert!(again.status.success(), "migrating again is a no-op");
    assert!(String::from_utf8_lossy(&again.stdout).contains("applied 0 migration(s)"));

    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with_env(dir.path(), &[], &env).await;
    let ready = reqwest::get(format!("{}/readyz", server.origin))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
}

/// `rapd migrate` on SQLite says how many migrations it applied: all on a fresh file, none after.
#[test]
fn rapd_migrate_counts_what_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = || {
        let out = support::rapd(&["migrate", "--data-dir", dir.path().to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let shipped = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rapd_store/migrations/sqlite"
    ))
    .unwrap()
    .count();
    let first = migrate();
    assert!(
        first.starts_with(&format!("applied {shipped} migration(s)")),
        "{first}"
    );
    let again = migrate();
    assert!(again.starts_with("applied 0 migration(s)"), "{again}");
}
