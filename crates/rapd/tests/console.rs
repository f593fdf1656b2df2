//! `/console` over HTTP, through the real binary: the sign-in redirect, the security headers and
//! cookie, CSRF on every form, and a read-only user's write refused by Graph. (The browser walk
//! is `interop/console/`.)

mod support;

use reqwest::{StatusCode, header};
use serde_json::Value;
use support::{Server, token};

const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token in a page's first form.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..].split('"').next().unwrap().to_owned()
}

/// The session cookie a response sets, as a `Cookie` header value.
fn cookie_of(response: &reqwest::Response) -> String {
    let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// Signs in with the development form (`access` "write" or "read"): the session cookie and the
/// CSRF token of its forms.
async fn sign_in(server: &Server, access: &str) -> (String, String) {
    let client = client();
    let form = client
        .get(format!("{}/console/sign-in", server.origin))
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&form);
    let csrf = csrf_of(&form.text().await.unwrap());
    let signed_in = client
        .post(format!("{}/console/sign-in", server.origin))
        .header(header::COOKIE, &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("tenant", &rapd_auth::DEV_TENANT.to_string()),
            ("user", "dev@rapd.localhost"),
            ("access", access),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[header::LOCATION], "/console/partners");
    let cookie = cookie_of(&signed_in);
    let page = client
        .get(format!("{}/console/partners", server.origin))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    (cookie, csrf_of(&page.text().await.unwrap()))
}

async fn partner_names(server: &Server, data_dir: &std::path::Path) -> Vec<String> {
    let list = support::get_json(&client(), &server.partners(), &token(data_dir, &[])).await;
    let names = list["value"].as_array().unwrap().iter();
    names
        .map(|p| p["displayName"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_redirect_to_sign_in_and_carry_a_strict_policy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let client = client();

    let partners = client
        .get(format!("{}/console/partners", server.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(partners.status(), StatusCode::SEE_OTHER);
    assert_eq!(partners.headers()[header::LOCATION], "/console/sign-in");

    let form = client
        .get(format!("{}/console/sign-in", server.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let headers = form.headers();
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let page = form.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("style="), "no inline style");

    let script = client
        .get(format!("{}/console/assets/console.js", server.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let client = client();

    // The sign-in form itself: without the token, or without the cookie whose token it is.
    let form = client
        .get(format!("{}/console/sign-in", server.origin))
        .send()
        .await
        .unwrap();
    let cookie = cookie_of(&form);
    let csrf = csrf_of(&form.text().await.unwrap());
    let tenant = rapd_auth::DEV_TENANT.to_string();
    let fields = |csrf: &'static str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("tenant", tenant.clone()),
            ("user", "dev@rapd.localhost".to_owned()),
            ("access", "write".to_owned()),
        ]
    };
    let forged = client
        .post(format!("{}/console/sign-in", server.origin))
        .header(header::COOKIE, &cookie)
        .form(&fields("forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let mut no_cookie = fields("");
    no_cookie[0].1 = csrf;
    let no_cookie = client
        .post(format!("{}/console/sign-in", server.origin))
        .form(&no_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN);

    // Signed in: a create without the token, or with another session's, is refused.
    let (cookie, _) = sign_in(&server, "write").await;
    let (_, other_csrf) = sign_in(&server, "write").await;
    for csrf in [None, Some(other_csrf.as_str())] {
        let mut form = vec![("displayName", "Forged")];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        let refused = client
            .post(format!("{}/console/partners", server.origin))
            .header(header::COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(refused.headers()[header::CONTENT_SECURITY_POLICY], CSP);
    }
    let names = partner_names(&server, dir.path()).await;
    assert!(!names.iter().any(|n| n == "Forged"), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_creates_through_graph_and_a_reader_is_refused_by_graph() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let client = client();

    let (cookie, csrf) = sign_in(&server, "write").await;
    let created = client
        .post(format!("{}/console/partners", server.origin))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str()), ("displayName", "Contoso")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let names = partner_names(&server, dir.path()).await;
    assert!(names.iter().any(|n| n == "Contoso"), "{names:?}");

    // Graph audited it, with the console as the application and the user as the actor.
    let audit = support::get_json(
        &client,
        &format!("{}/beta/deviceManagement/auditEvents", server.origin),
        &token(dir.path(), &["--scope", "DeviceManagementApps.Read.All"]),
    )
    .await;
    let created = audit["value"].as_array().unwrap().iter();
    let created: Vec<&Value> = created
        .filter(|e| e["resources"][0]["displayName"] == "Contoso")
        .collect();
    assert_eq!(created.len(), 1, "{audit}");
    let actor = &created[0]["actor"];
    assert_eq!(actor["userPrincipalName"], "dev@rapd.localhost");
    assert_eq!(actor["applicationId"], rapd_console_app());

    let (cookie, csrf) = sign_in(&server, "read").await;
    let page = client
        .get(format!("{}/console/partners", server.origin))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Contoso"));
    assert!(!page.contains("/connect"), "no write buttons for a reader");
    let refused = client
        .post(format!("{}/console/partners", server.origin))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str()), ("displayName", "Not allowed")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("data-error"));
    let names = partner_names(&server, dir.path()).await;
    assert!(!names.iter().any(|n| n == "Not allowed"), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spanish_is_chosen_by_accept_language() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let page = client()
        .get(format!("{}/console/sign-in", server.origin))
        .header(header::ACCEPT_LANGUAGE, "es-ES,es;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"es-ES\">"), "{page}");
    assert!(page.contains("Iniciar sesión"));
}

/// `rapd_console::CONSOLE_APP`, as the audit trail writes it.
fn rapd_console_app() -> &'static str {
    "5c0a50fe-7e3d-4b1a-9c2d-8e7f6a5b4c3d"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_serves_no_console_even_with_the_development_issuer_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("rapd.toml");
    std::fs::write(&config, "profile = \"production\"\ndev_issuer = true\n").unwrap();
    let config = config.to_str().unwrap();
    let migrated = support::rapd(&[
        "migrate",
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config,
    ]);
    assert!(migrated.status.success(), "{migrated:?}");
    let server = Server::start(&data, &["--config", config]).await;
    for path in ["/console", "/console/sign-in"] {
        let answer = client()
            .get(format!("{}{path}", server.origin))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
