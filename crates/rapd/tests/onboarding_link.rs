//! `rapd onboarding-link` prints the link an administrator hands the vendor, and the code in it
//! is the one the partner API redeems; each call issues a new one.

mod support;

use serde_json::{Value, json};
use support::{Server, rapd, token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_link_carries_a_code_the_vendor_can_redeem() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let token = token(dir.path(), &[]);
    let client = reqwest::Client::new();
    let body = json!({"displayName": "Contoso", "onboardingUrl": "https://portal.example/onboard?lang=en"});
    let id = support::create_partner(&client, &server.partners(), &token, body).await;
    let tenant = rapd_auth::DEV_TENANT.to_string();
    let data_dir = dir.path().to_str().unwrap();
    let link_args = [
        "onboarding-link",
        "--tenant",
        &tenant,
        "--partner",
        &id,
        "--data-dir",
        data_dir,
    ];

    let before = rapd(&link_args);
    assert!(!before.status.success(), "no open request yet");
    assert!(String::from_utf8_lossy(&before.stderr).contains("beginOnboarding"));

    let begin = client
        .post(format!("{}/{id}/beginOnboarding", server.partners()))
        .bearer_auth(&token);
    assert_eq!(begin.send().await.unwrap().status(), 204);
    let out = rapd(&link_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        link.starts_with("https://portal.example/onboard?lang=en&code=rac1."),
        "{link}"
    );

    // The store keeps only the code's hash, so each call issues a new code and the earlier
    // link stops working.
    let again = rapd(&link_args);
    assert!(again.status.success());
    let newer = String::from_utf8(again.stdout).unwrap().trim().to_owned();
    assert_ne!(newer, link);
    let stale = link.rsplit("code=").next().unwrap();
    let refused = client
        .post(format!("{}/partner/v1/onboarding", server.origin))
        .json(&json!({ "code": stale }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let code = newer.rsplit("code=").next().unwrap();
    let redeemed = client
        .post(format!("{}/partner/v1/onboarding", server.origin))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), 200);
    let partner: Value =
        support::get_json(&client, &format!("{}/{id}", server.partners()), &token).await;
    assert_eq!(partner["onboardingStatus"], "onboarded");
    // Once the vendor redeemed the code, the command says so instead of asking for
    // beginOnboarding.
    let after = rapd(&link_args);
    assert!(!after.status.success());
    let stderr = String::from_utf8_lossy(&after.stderr);
    assert!(stderr.contains("onboarded already"), "{stderr}");
}
