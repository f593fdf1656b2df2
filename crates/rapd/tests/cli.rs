//! The command line as a user meets it: `rapd token` finds the data directory as `serve` does,
//! and the banner names the active profile and permission table.

mod support;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use support::{RAPD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_reads_the_data_directory_from_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("configured-data");
    let config = dir.path().join("rapd.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", data.to_str().unwrap()),
    )
    .unwrap();
    let server = Server::start(&data, &[]).await;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(RAPD)
        .args(["token", "--config"])
        .arg(&config)
        .current_dir(elsewhere.path())
        .env_remove("RAPD_DATA_DIR")
        .env("HOME", elsewhere.path())
        .env("XDG_DATA_HOME", elsewhere.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing made in the working directory or the default one"
    );
    let status = reqwest::Client::new()
        .get(server.partners())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(
        status, 200,
        "the server with that data directory accepts the token"
    );
}

/// The lines `rapd serve` prints up to and including its profile line.
fn banner(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(RAPD)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RAPD_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        text.push_str(&line);
        text.push('\n');
        if line.starts_with("Profile:") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    text
}

#[test]
fn the_banner_names_the_profile_and_the_permission_table() {
    let default = banner(&[]);
    assert!(
        default.contains("Profile: development; permissions: founding-page"),
        "{default}"
    );
    assert!(default.contains("RAPD_PERMISSIONS=graph"), "{default}");
    let graph = banner(&[("RAPD_PERMISSIONS", "graph")]);
    assert!(
        graph.contains("Profile: development; permissions: graph"),
        "{graph}"
    );
}

/// What rapd creates in a fresh data directory is its owner's alone, whatever the umask: the
/// directory 0700, the database and the keys 0600.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("nested").join("data");
    let server = Server::start(&data, &[]).await;
    let mode = |name: &str| {
        let path = data.join(name);
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(""), 0o700);
    let files: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("rapd.db") || n.ends_with(".pem") || n.contains("token"))
        .collect();
    assert!(files.iter().any(|n| n == "rapd.db"), "{files:?}");
    for name in &files {
        assert_eq!(mode(name), 0o600, "{name}");
    }
    drop(server);
}

/// `rapd config check` prints TOML that reads back as the same configuration, with every secret
/// redacted, and a reader that closes the pipe early is no error.
#[test]
fn config_check_prints_toml_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(RAPD)
            .args(["config", "check"])
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let printed = check(&["--listen", "127.0.0.1:9999"], &[]);
    assert!(printed.contains("listen = \"127.0.0.1:9999\""), "{printed}");
    assert!(
        printed.contains("max_body_bytes = 65536"),
        "defaults filled in: {printed}"
    );
    let file = dir.path().join("resolved.toml");
    std::fs::write(&file, &printed).unwrap();
    let again = check(&["--config", file.to_str().unwrap()], &[]);
    assert_eq!(again, printed);
    let secret = "a-control-token-that-is-long";
    let shown = check(&[], &[("RAPD_CONTROL_ADMIN_TOKEN", secret)]);
    assert!(
        !shown.contains(secret) && shown.contains("<redacted>"),
        "{shown}"
    );

    let mut child = Command::new(RAPD)
        .args(["config", "check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `rapd tenant list` on a data directory without tenants says there are none, and how one
/// comes.
#[test]
fn an_empty_tenant_list_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let migrated = support::rapd(&["migrate", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(migrated.status.success());
    let out = Command::new(RAPD)
        .args(["tenant", "list", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("no tenants"), "{text}");
}

/// A refused token is logged at info with the reason (here: a key this server does not trust),
/// never with the token itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_why_it_refused_a_token() {
    use std::io::Read;
    let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let foreign = {
        let _server = Server::start(theirs.path(), &[]).await;
        support::token(theirs.path(), &[])
    };
    let mut child = Command::new(RAPD)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(ours.path())
        .env("RAPD_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let origin = support::printed_origin(&mut BufReader::new(child.stdout.take().unwrap()).lines());
    let url = format!("{origin}/v1.0/deviceManagement/remoteAssistancePartners");
    let status = reqwest::Client::new()
        .get(&url)
        .bearer_auth(&foreign)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = child.wait();
    let line = log
        .lines()
        .find(|l| l.contains("bearer token refused"))
        .unwrap_or_else(|| panic!("no refusal logged: {log}"));
    assert!(
        line.contains("INFO") && line.contains("no trusted key"),
        "{line}"
    );
    assert!(!log.contains(&foreign), "the token is never logged");
}

/// `rapd user add` and `rapd app add` write `identities.toml`, which a running server reads at
/// start only: each says that a restart is needed.
#[test]
fn adding_an_identity_says_a_restart_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for args in [
        &[
            "user",
            "add",
            "adele@contoso.example",
            "--password",
            "p4ss",
            "--data-dir",
            data,
        ][..],
        &["app", "add", "--data-dir", data],
    ] {
        let out = support::rapd(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("after a restart"), "{args:?}: {text}");
    }
}
