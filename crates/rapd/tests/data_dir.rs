//! One data directory, found the same way by every command: by default the per-user
//! `$XDG_DATA_HOME/rapd` (else `~/.local/share/rapd`), whatever the working directory; and a
//! command that would mint against a directory no server initialised refuses, naming it.

mod support;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Output, Stdio},
};

use support::RAPD;

/// `rapd ARGS` in `cwd` with the data home `home`, and no data directory given.
fn rapd_at(cwd: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(RAPD)
        .args(args)
        .current_dir(cwd)
        .env_remove("RAPD_DATA_DIR")
        .env_remove("RAPD_CONFIG")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("RAPD_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_finds_the_per_user_data_directory_from_anywhere() {
    let (home, served_from, asked_from) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let mut child = Command::new(RAPD)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(served_from.path())
        .env_remove("RAPD_DATA_DIR")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("RAPD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let origin = support::printed_origin(&mut BufReader::new(child.stdout.take().unwrap()).lines());
    let data = home.path().join("data").join("rapd");
    assert!(
        data.join("rapd.db").is_file(),
        "the server uses $XDG_DATA_HOME/rapd"
    );

    let out = rapd_at(asked_from.path(), home.path(), &["token"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let status = reqwest::Client::new()
        .get(format!(
            "{origin}/v1.0/deviceManagement/remoteAssistancePartners"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(
        status, 200,
        "the server accepts a token minted from elsewhere"
    );
    for args in [&["control-token"][..], &["tenant", "list"]] {
        let out = rapd_at(asked_from.path(), home.path(), args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    for dir in [served_from.path(), asked_from.path()] {
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "nothing made in {dir:?}"
        );
    }
}

#[test]
fn commands_refuse_a_data_directory_no_server_initialised() {
    let (home, cwd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let data = home.path().join("data").join("rapd");
    for args in [
        &["token"][..],
        &["control-token"],
        &["ca"],
        &["tenant", "list"],
        &["export"],
        &["reset"],
    ] {
        let out = rapd_at(cwd.path(), home.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(data.to_str().unwrap()) && stderr.contains("rapd serve"),
            "{args:?}: {stderr}"
        );
        assert!(!data.exists(), "{args:?} made {data:?}");
        assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    }
    // Given explicitly, an empty directory is refused the same way, and left empty.
    let empty = tempfile::tempdir().unwrap();
    let out = rapd_at(
        cwd.path(),
        home.path(),
        &["token", "--data-dir", empty.path().to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no development issuer key"));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}
