//! The console's production sign-in, through the real binary in the production profile against
//! a simulated outside issuer on loopback: authorization code with PKCE, the cookies a browser
//! needs across the issuer's redirect, a code and a sign-in used once, the issuer's refusal,
//! and write buttons only for a token that may write (Graph refusing the writes of one that may
//! not).

mod support;

#[path = "support/oidc_issuer.rs"]
mod oidc_issuer;

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use oidc_issuer::{CLIENT_ID, CLIENT_SECRET, OidcIssuer};
use reqwest::{StatusCode, header};
use sha2::{Digest, Sha256};
use support::{Server, rapd};
use uuid::Uuid;

const PUBLIC_URL: &str = "https://rapd.example";
const WRITE: &[&str] = &[
    "DeviceManagementServiceConfig.ReadWrite.All",
    "DeviceManagementApps.Read.All",
];
const READ: &[&str] = &[
    "DeviceManagementServiceConfig.Read.All",
    "DeviceManagementApps.Read.All",
];

struct Setup {
    server: Server,
    issuer: OidcIssuer,
    _dir: tempfile::TempDir,
}

/// rapd in production trusting the issuer, its console signing in there, the issuer's tenant
/// provisioned.
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let issuer = OidcIssuer::start(Uuid::new_v4()).await;
    let config = dir.path().join("rapd.toml");
    std::fs::write(
        &config,
        format!(
            "profile = \"production\"\npublic_url = \"{PUBLIC_URL}\"\n\n\
             [[issuers]]\nissuer = \"https://login.microsoftonline.com/{{tenantid}}/v2.0\"\n\
             jwks_uri = \"{}\"\naudiences = [\"https://graph.microsoft.com\"]\n\n\
             [console]\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             discovery_url = \"{}\"\n",
            issuer.jwks_uri(),
            issuer.discovery_url()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let data_dir = data.to_str().unwrap();
    let tenant = issuer.tenant.to_string();
    let args = [
        "tenant",
        "add",
        &tenant,
        "--data-dir",
        data_dir,
        "--config",
        config,
    ];
    let added = rapd(&args);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let server = Server::start(&data, &["--config", config]).await;
    Setup {
        server,
        issuer,
        _dir: dir,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `Set-Cookie` lines of a response, whole.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    let all = response.headers().get_all(header::SET_COOKIE).iter();
    all.map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// `name=value` of the cookie `name` a response sets.
fn cookie(response: &reqwest::Response, name: &str) -> String {
    let set = set_cookies(response);
    let line = set
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap();
    line.split(';').next().unwrap().to_owned()
}

fn location(response: &reqwest::Response) -> url::Url {
    url::Url::parse(response.headers()[header::LOCATION].to_str().unwrap()).unwrap()
}

/// A browser's walk up to the issuer's answer: the pending sign-in's cookie and the query the
/// issuer sends back to the callback.
async fn to_the_issuer_and_back(setup: &Setup) -> (String, String) {
    let client = client();
    let origin = &setup.server.origin;
    let start = client
        .get(format!("{origin}/console/sign-in/issuer"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to_issuer = location(&start);
    let pending = cookie(&start, "rapd_console_sign_in");
    let answer = client.get(to_issuer).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::FOUND);
    let back = location(&answer);
    assert_eq!(
        back.as_str().split('?').next().unwrap(),
        format!("{PUBLIC_URL}/console/callback")
    );
    (pending, back.query().unwrap().to_owned())
}

async fn callback(setup: &Setup, pending: &str, query: &str) -> reqwest::Response {
    let origin = &setup.server.origin;
    client()
        .get(format!("{origin}/console/callback?{query}"))
        .header(header::COOKIE, pending)
        .send()
        .await
        .unwrap()
}

/// Signs in with `scopes`: the session's cookie.
async fn sign_in(setup: &Setup, scopes: &[&str]) -> String {
    setup.issuer.grant(scopes);
    let (pending, query) = to_the_issuer_and_back(setup).await;
    let signed_in = callback(setup, &pending, &query).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(
        signed_in.headers()[header::REFRESH],
        "0; url=/console/partners"
    );
    // The session's cookie is Strict (and Secure: public_url is https); the pending one is gone.
    let set = set_cookies(&signed_in).join("\n");
    assert!(set.contains("HttpOnly; SameSite=Strict; Secure"), "{set}");
    assert!(set.contains("rapd_console_sign_in=; Path=/console/callback; Max-Age=0"));
    cookie(&signed_in, "rapd_console")
}

async fn page(setup: &Setup, session: &str, path: &str) -> (StatusCode, String) {
    let origin = &setup.server.origin;
    let response = client()
        .get(format!("{origin}{path}"))
        .header(header::COOKIE, session)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_signs_in_at_the_issuer_with_pkce() {
    let setup = setup().await;
    let origin = &setup.server.origin;
    let client = client();

    // The sign-in page offers the issuer, and the development form is not there.
    let shown = client
        .get(format!("{origin}/console/sign-in"))
        .send()
        .await
        .unwrap();
    let shown = shown.text().await.unwrap();
    assert!(
        shown.contains("href=\"/console/sign-in/issuer\""),
        "{shown}"
    );
    assert!(!shown.contains("name=\"user\""));

    setup.issuer.grant(WRITE);
    let start = client
        .get(format!("{origin}/console/sign-in/issuer"))
        .send()
        .await
        .unwrap();
    // The pending sign-in's cookie: only for the callback, and Lax, so the issuer's cross-site
    // redirect back carries it.
    let set = set_cookies(&start).join("\n");
    for part in [
        "rapd_console_sign_in=",
        "Path=/console/callback",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=600",
        "Secure",
    ] {
        assert!(set.contains(part), "{part} in {set}");
    }
    let asked: HashMap<String, String> = location(&start).query_pairs().into_owned().collect();
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["client_id"], CLIENT_ID);
    assert_eq!(
        asked["redirect_uri"],
        format!("{PUBLIC_URL}/console/callback")
    );
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(&asked["code_challenge"])
            .unwrap()
            .len(),
        32
    );
    assert!(
        asked["scope"].starts_with("openid profile "),
        "{}",
        asked["scope"]
    );
    assert!(asked["scope"].contains("DeviceManagementServiceConfig.ReadWrite.All"));
    assert!(asked["state"].len() >= 43 && asked["nonce"].len() >= 43);
    assert!(!asked.contains_key("client_secret"));

    let session = sign_in(&setup, WRITE).await;
    let redeemed = setup.issuer.last_token_request();
    assert_eq!(redeemed["grant_type"], "authorization_code");
    assert_eq!(redeemed["code_verifier"].len(), 43);
    let challenge = Sha256::digest(redeemed["code_verifier"].as_bytes());
    let asked = setup.issuer.last_authorization().query;
    assert_eq!(URL_SAFE_NO_PAD.encode(challenge), asked["code_challenge"]);
    assert!(session.starts_with("rapd_console="));

    // Signed in as the issuer's user, in the issuer's tenant, with write buttons.
    let (status, partners) = page(&setup, &session, "/console/partners").await;
    assert_eq!(status, StatusCode::OK);
    assert!(partners.contains("Test User"), "{partners}");
    assert!(partners.contains(&setup.issuer.tenant.to_string()));
    assert!(
        partners.contains("action=\"/console/partners\""),
        "a create form"
    );
    let at = partners.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = partners[at..].split('"').next().unwrap();
    let created = client
        .post(format!("{origin}/console/partners"))
        .header(header::COOKIE, &session)
        .form(&[("csrf", csrf), ("displayName", "Signed in at the issuer")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let (_, audit) = page(&setup, &session, "/console/audit").await;
    assert!(audit.contains("test.user@contoso.example"), "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_token_gets_no_write_buttons_and_graph_refuses_its_writes() {
    let setup = setup().await;
    let session = sign_in(&setup, READ).await;
    let (status, partners) = page(&setup, &session, "/console/partners").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !partners.contains("action=\"/console/partners\""),
        "{partners}"
    );
    let at = partners.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = partners[at..].split('"').next().unwrap();
    let refused = client()
        .post(format!("{}/console/partners", setup.server.origin))
        .header(header::COOKIE, &session)
        .form(&[("csrf", csrf), ("displayName", "Not allowed")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_is_used_once_and_only_by_the_browser_that_started_it() {
    let setup = setup().await;
    setup.issuer.grant(WRITE);
    let (pending, query) = to_the_issuer_and_back(&setup).await;

    // Another browser (no cookie, or another sign-in's) cannot finish it.
    let (other, _) = to_the_issuer_and_back(&setup).await;
    let refused = callback(&setup, &other, &query).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        set_cookies(&refused)
            .iter()
            .all(|c| !c.starts_with("rapd_console="))
    );
    let no_cookie = client()
        .get(format!("{}/console/callback?{query}", setup.server.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(no_cookie.status(), StatusCode::BAD_REQUEST);
    let text = no_cookie.text().await.unwrap();
    assert!(text.contains("no sign-in was started here"), "{text}");

    // A wrong `state` spends the sign-in; so does a success: neither can be replayed.
    let forged = query.replace("state=", "state=x");
    assert_eq!(
        callback(&setup, &pending, &forged).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        callback(&setup, &pending, &query).await.status(),
        StatusCode::BAD_REQUEST
    );

    let (pending, query) = to_the_issuer_and_back(&setup).await;
    assert_eq!(
        callback(&setup, &pending, &query).await.status(),
        StatusCode::OK
    );
    let replayed = callback(&setup, &pending, &query).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issuers_refusal_and_the_development_form_open_no_session() {
    let setup = setup().await;
    setup.issuer.refuse_next("access_denied");
    let (pending, query) = to_the_issuer_and_back(&setup).await;
    let refused = callback(&setup, &pending, &query).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("access_denied"));

    // The development sign-in mints nothing in production.
    let form = client()
        .post(format!("{}/console/sign-in", setup.server.origin))
        .form(&[
            ("csrf", "x"),
            ("tenant", &setup.issuer.tenant.to_string()),
            ("user", "dev@rapd.localhost"),
            ("access", "write"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(form.status(), StatusCode::SEE_OTHER);
    assert!(
        set_cookies(&form)
            .iter()
            .all(|c| !c.starts_with("rapd_console="))
    );
}
