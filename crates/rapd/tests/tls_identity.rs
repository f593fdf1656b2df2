//! The real binary over https: `rapd user add` / `rapd app add` identities sign in at the token
//! endpoint, `rapd ca` writes the bundle and prints the trust lines, https can run alone, and an
//! operator's own certificate files are served.

mod support;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use support::{RAPD, rapd};

/// A `rapd serve` with an https listener, and the origins it printed.
struct TlsServer {
    child: Child,
    http: Option<String>,
    https: String,
}

impl TlsServer {
    fn start(data_dir: &Path, env: &[(&str, &str)]) -> TlsServer {
        let mut child = Command::new(RAPD)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .env("RAPD_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut http = None;
        let mut https = None;
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(rest) =
                line.strip_prefix("rapd is serving Microsoft Graph's remoteAssistancePartners on ")
                && rest.starts_with("http://")
            {
                http = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.strip_prefix("https on ") {
                https = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        TlsServer {
            child,
            http,
            https: https.expect("rapd printed its https address"),
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trusting(ca: &Path) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

async fn wait_healthy(client: &reqwest::Client, origin: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .get(format!("{origin}/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .ok()
        != Some(200)
    {
        assert!(
            Instant::now() < deadline,
            "rapd did not become ready over https"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ok(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_identities_sign_in_over_https_and_rapd_ca_prints_the_trust_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let client_id = "5b0d7c61-3d2e-4f6a-9b8c-7d6e5f4a3b21";
    ok(rapd(&[
        "user",
        "add",
        "adele@contoso.example",
        "--password",
        "adele-pw",
        "--data-dir",
        data_arg,
    ]));
    let added = ok(rapd(&[
        "app",
        "add",
        "--client-id",
        client_id,
        "--secret",
        "app-secret",
        "--data-dir",
        data_arg,
    ]));
    assert!(added.contains(client_id));
    let generated = ok(rapd(&["app", "add", "--data-dir", data_arg]));
    assert!(generated.contains("client secret: "), "{generated}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("identities.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let server = TlsServer::start(&data, &[]);
    assert!(server.http.is_some());
    // `rapd ca` with a stand-in system bundle: the bundle is that file plus rapd's CA.
    let system = dir.path().join("system.pem");
    std::fs::write(&system, "# the system's CAs\n").unwrap();
    let printed = ok(rapd(&[
        "ca",
        "--data-dir",
        data_arg,
        "--system-bundle",
        system.to_str().unwrap(),
    ]));
    let exported = |name: &str| -> String {
        let line = printed
            .lines()
            .find(|l| l.starts_with(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("{name} in {printed}"));
        line.split('\'').nth(1).unwrap().to_owned()
    };
    let ca = data.join("tls").join("ca.pem").canonicalize().unwrap();
    assert_eq!(
        Path::new(&exported("NODE_EXTRA_CA_CERTS"))
            .canonicalize()
            .unwrap(),
        ca
    );
    let bundle = exported("REQUESTS_CA_BUNDLE");
    assert_eq!(exported("SSL_CERT_FILE"), bundle);
    let bundle_text = std::fs::read_to_string(&bundle).unwrap();
    assert!(bundle_text.starts_with("# the system's CAs\n"));
    assert!(bundle_text.ends_with(&std::fs::read_to_string(&ca).unwrap()));

    let client = trusting(&ca);
    wait_healthy(&client, &server.https).await;
    let token: Value = client
        .post(format!(
            "{}/contoso.example/oauth2/v2.0/token",
            server.https
        ))
        .form(&[
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", "adele@contoso.example"),
            ("password", "adele-pw"),
            (
                "scope",
                "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().expect("a token");
    let created = client
        .post(format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners",
            server.https
        ))
        .bearer_auth(access)
        .json(&json!({ "displayName": "Contoso" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let app_token = client
        .post(format!("{}/adfs/oauth2/token", server.https))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", "app-secret"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(app_token.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_alone_and_an_operators_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let server = TlsServer::start(&first, &[("RAPD_TLS_ONLY", "true")]);
    assert!(server.http.is_none(), "tls.only opens no plain listener");
    let ca = first.join("tls").join("ca.pem");
    let client = trusting(&ca);
    wait_healthy(&client, &server.https).await;
    drop(server);

    // The leaf rapd issued, served as if it were the operator's own files.
    let own_cert = dir.path().join("own.pem");
    let own_key = dir.path().join("own-key.pem");
    std::fs::copy(first.join("tls").join("localhost.pem"), &own_cert).unwrap();
    std::fs::copy(first.join("tls").join("localhost-key.pem"), &own_key).unwrap();
    let second = dir.path().join("second");
    let server = TlsServer::start(
        &second,
        &[
            ("RAPD_TLS_CERT_FILE", own_cert.to_str().unwrap()),
            ("RAPD_TLS_KEY_FILE", own_key.to_str().unwrap()),
        ],
    );
    wait_healthy(&client, &server.https).await;
    assert!(
        !second.join("tls").exists(),
        "no development CA is made when the operator brings a certificate"
    );
    let checked = rapd(&["config", "check", "--data-dir", second.to_str().unwrap()]);
    assert!(checked.status.success(), "a complete configuration checks");
    let half = Command::new(RAPD)
        .args(["config", "check"])
        .env("RAPD_TLS_CERT_FILE", own_cert.to_str().unwrap())
        .output()
        .unwrap();
    assert!(
        !half.status.success(),
        "a certificate without its key is refused"
    );
}
