//! The production profile, through the real binary: the development issuer is off, and only
//! tenants an operator provisioned with an Intune licence may call.

mod support;

use rapd_auth::testing::{EntraVersion, JwksServer, Principal, TestKey, entra_claims};
use serde_json::json;
use support::{Server, rapd};
use uuid::Uuid;

const GRAPH: &str = "https://graph.microsoft.com";

fn production_config(dir: &std::path::Path, jwks: &JwksServer) -> String {
    let path = dir.join("rapd.toml");
    let toml = format!(
        "profile = \"production\"\n\n[[issuers]]\nissuer = \"{}\"\njwks_uri = \"{}\"\naudiences = [\"{GRAPH}\"]\n",
        EntraVersion::V2.issuer_template(),
        jwks.jwks_uri()
    );
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_owned()
}

fn entra_token(key: &TestKey, tenant: Uuid) -> String {
    let now = rapd_model::Timestamp::now().unix_secs();
    let claims = entra_claims(
        tenant,
        EntraVersion::V2,
        GRAPH,
        Principal::User(&["DeviceManagementServiceConfig.ReadWrite.All"]),
        now,
    );
    key.sign(
        &json!({"alg": key.alg(), "typ": "JWT", "kid": "k1"}),
        &claims.to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_the_dev_issuer_and_unlicensed_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let jwks = JwksServer::start().await;
    let key = TestKey::es256();
    jwks.set_keys(vec![key.jwk("k1", None)]);
    let config = production_config(dir.path(), &jwks);
    let server = Server::start(&data, &["--config", &config]).await;
    let client = reqwest::Client::new();
    let list = |token: String| client.get(server.partners()).bearer_auth(token).send();

    // The development issuer is off in production: no key, so `rapd token` refuses to make one
    // whose tokens the server would answer 401.
    let minted = rapd(&["token", "--data-dir", data.to_str().unwrap()]);
    assert!(!minted.status.success());
    let stderr = String::from_utf8_lossy(&minted.stderr);
    assert!(stderr.contains("no development issuer key"), "{stderr}");
    assert!(!data.join(rapd_auth::DEV_KEY_FILE).exists());

    let (licensed, unlicensed) = (Uuid::new_v4(), Uuid::new_v4());
    let r = list(entra_token(&key, licensed)).await.unwrap();
    assert_eq!(r.status(), 403, "an unknown tenant holds no licence");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("license")
    );

    let data_dir = data.to_str().unwrap();
    let unlicensed_id = unlicensed.to_string();
    let add = rapd(&[
        "tenant",
        "add",
        &unlicensed_id,
        "--unlicensed",
        "--data-dir",
        data_dir,
        "--config",
        &config,
    ]);
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    assert_eq!(
        list(entra_token(&key, unlicensed)).await.unwrap().status(),
        403
    );

    let licensed_id = licensed.to_string();
    let add = rapd(&[
        "tenant",
        "add",
        &licensed_id,
        "--name",
        "Contoso",
        "--data-dir",
        data_dir,
        "--config",
        &config,
    ]);
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    assert_eq!(
        list(entra_token(&key, licensed)).await.unwrap().status(),
        200
    );

    let listed = rapd(&[
        "tenant",
        "list",
        "--data-dir",
        data_dir,
        "--config",
        &config,
    ]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.starts_with("tenant\tlicence\tadded\tname\n"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{licensed}\tlicensed")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{unlicensed}\tunlicensed")),
        "{listed}"
    );
}

#[test]
fn the_dev_issuer_never_serves_a_public_address_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let out = rapd(&[
        "serve",
        "--listen",
        "0.0.0.0:0",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("non-loopback"), "{stderr}");
}

#[test]
fn production_without_any_issuer_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = rapd(&[
        "serve",
        "--profile",
        "production",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no token issuer"));
}

/// Allowed on purpose, the development issuer on a public address is still warned about at
/// every start.
#[test]
fn the_dev_issuer_on_a_public_address_is_warned_about() {
    use std::io::{BufRead, BufReader};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(support::RAPD)
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .env("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS", "true")
        .env("RAPD_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // Should the warning never come, the child is ended after 10 s so the read below ends too.
    let child = Arc::new(Mutex::new(child));
    let watchdog = child.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(10));
        let _ = watchdog.lock().unwrap().kill();
    });
    let warned = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.contains("WARN") && line.contains("non-loopback"));
    let mut child = child.lock().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned.is_some(), "no warning before rapd's output ended");
}
