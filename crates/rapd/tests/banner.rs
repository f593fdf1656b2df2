//! The first success a new user sees: in development the banner's `curl` line disconnects a
//! sample partner that starts `onboarded`, so reading it back shows the change; production
//! creates no sample and prints no development `curl` line. `rapd` alone is `rapd serve`, flags
//! and all.

mod support;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

use support::RAPD;

/// Starts `rapd serve` on `data` with `env`; the child and its stdout up to the profile line.
fn start(data: &Path, env: &[(&str, &str)]) -> (Child, Vec<String>) {
    start_with(&["serve"], data, env)
}

/// As [`start`], with `first` before the flags instead of `serve`.
fn start_with(first: &[&str], data: &Path, env: &[(&str, &str)]) -> (Child, Vec<String>) {
    let mut child = Command::new(RAPD)
        .args(first)
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("RAPD_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Profile:");
        banner.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (child, banner)
}

/// The URL of the `curl` line after the line starting with `label`.
fn url_after(banner: &[String], label: &str) -> String {
    let at = banner.iter().position(|l| l.starts_with(label)).unwrap();
    let curl = &banner[at + 1];
    curl.split_whitespace().last().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_banners_curl_line_visibly_disconnects_the_onboarded_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, banner) = start(dir.path(), &[]);
    let token = banner
        .iter()
        .find_map(|l| l.strip_prefix("TOKEN="))
        .unwrap()
        .to_owned();
    let disconnect = url_after(&banner, "Disconnect the sample partner");
    let read = url_after(&banner, "Then read it");
    let client = reqwest::Client::new();
    let status = |url: String| {
        let request = client.get(url).bearer_auth(&token).send();
        async move {
            let body: serde_json::Value = request.await.unwrap().json().await.unwrap();
            body["onboardingStatus"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(status(read.clone()).await, "onboarded");
    let answer = client
        .post(&disconnect)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    assert_eq!(status(read.clone()).await, "notOnboarded");
    let _ = child.kill();
    let _ = child.wait();

    // A restart keeps the sample as the user left it.
    let (mut child, banner) = start(dir.path(), &[]);
    let id = |url: &str| url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(id(&url_after(&banner, "Then read it")), id(&read));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_has_no_sample_partner_and_no_curl_line() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")];
    let (mut child, banner) = start(dir.path(), &env);
    let text = banner.join("\n");
    assert!(text.contains("Profile: production"), "{text}");
    assert!(!text.contains("curl"), "{text}");
    let _ = child.kill();
    let _ = child.wait();
    let store = support::Database::Sqlite.open_store(dir.path()).await;
    let tenant = rapd_model::TenantId(rapd_auth::DEV_TENANT);
    let page = store
        .list(tenant, &rapd_store::PageQuery::default())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "{:?}", page.items);
}

#[test]
fn bare_rapd_serves_with_the_flags_of_serve() {
    let help = Command::new(RAPD).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for word in [
        "--listen",
        "--data-dir",
        "--tls-listen",
        "--partner-sim",
        "token",
        "serve",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut child, banner) = start_with(&[], dir.path(), &[]);
    let _ = child.kill();
    let _ = child.wait();
    let first = &banner[0];
    assert!(
        first.contains("on http://127.0.0.1:") && !first.ends_with(":8080"),
        "--listen was taken: {first}"
    );
    assert!(dir.path().join("rapd.db").is_file(), "--data-dir was taken");
    let mixed = Command::new(RAPD)
        .args(["--listen", "127.0.0.1:0", "token"])
        .output()
        .unwrap();
    assert!(
        !mixed.status.success(),
        "serve's flags do not go with another subcommand"
    );
}

/// The banner's lines up to the development app, for rapd started with `args`.
fn identity_lines(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(RAPD)
        .arg("--data-dir")
        .arg(dir.path())
        .args(args)
        .env("RAPD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        text.push_str(&line);
        text.push('\n');
        if line.starts_with("  development app") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    text
}

#[test]
fn the_https_lines_use_the_configured_addresses() {
    let plain = identity_lines(&["--listen", "127.0.0.2:0"]);
    assert!(plain.contains("add --tls-listen 127.0.0.2:8443"), "{plain}");
    let tls = identity_lines(&["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"]);
    let origin = tls
        .lines()
        .find_map(|l| l.strip_prefix("https on "))
        .unwrap_or_else(|| panic!("{tls}"));
    assert!(
        origin.starts_with("https://127.0.0.1:")
            && !origin.starts_with("https://127.0.0.1:0 ")
            && !origin.starts_with("https://127.0.0.1:8443"),
        "the bound port: {origin}"
    );
}
