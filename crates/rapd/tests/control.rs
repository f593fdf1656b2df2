//! The test-control API through the real binary: `rapd seed FILE`, `rapd reset`, `rapd export`,
//! `rapd control-token`, and its absence from the production profile.

mod support;

use support::{Server, rapd, token};

const PARTNER: &str = "0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a001";

fn fixture(tenant: &str) -> serde_json::Value {
    serde_json::json!({"tenants": [{
        "id": tenant,
        "displayName": "Seeded",
        "intuneLicensed": true,
        "partners": [{"id": PARTNER, "displayName": "Seeded vendor", "onboardingStatus": "onboarded",
                      "lastConnectionDateTime": "2026-10-01T08:00:00Z",
                      "onboardingUrl": "https://vendor.example/onboard"}]
    }]})
}

#[tokio::test]
async fn rapd_seed_writes_a_fixture_that_graph_and_export_then_show() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let dev_tenant = rapd_auth::DEV_TENANT.to_string();

    // A bad fixture is refused whole: nothing is written.
    let mut bad = fixture(&dev_tenant);
    bad["tenants"][0]["partners"][0]["onboardingStatus"] = "connected".into();
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, bad.to_string()).unwrap();
    let out = rapd(&["seed", bad_file.to_str().unwrap(), "--data-dir", data_arg]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tenants[0].partners[0].onboardingStatus"),
        "{stderr}"
    );

    let file = dir.path().join("fixture.json");
    std::fs::write(&file, fixture(&dev_tenant).to_string()).unwrap();
    let out = rapd(&["seed", file.to_str().unwrap(), "--data-dir", data_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "seeded 1 tenant(s) and 1 partner(s)"
    );

    let admin = String::from_utf8(rapd(&["control-token", "--data-dir", data_arg]).stdout).unwrap();
    let admin = admin.trim().to_owned();
    assert!(admin.len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("control-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the token file is private");
    }

    let server = Server::start(&data, &[]).await;
    let graph = token(&data, &[]);
    let client = reqwest::Client::new();
    let partner: serde_json::Value =
        support::get_json(&client, &format!("{}/{PARTNER}", server.partners()), &graph).await;
    assert_eq!(partner["onboardingStatus"], "onboarded");
    assert_eq!(partner["displayName"], "Seeded vendor");

    let export: serde_json::Value =
        support::get_json(&client, &format!("{}/_rapd/export", server.origin), &admin).await;
    let partners = export["tenants"][0]["partners"].as_array().unwrap();
    assert!(
        partners
            .iter()
            .any(|p| p["id"] == PARTNER && p["lastConnectionDateTime"] == "2026-10-01T08:00:00Z")
    );
}

#[tokio::test]
async fn production_has_no_control_prefix_unless_enabled_and_never_faults() {
    let dir = tempfile::tempdir().unwrap();
    let prod = [("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")];
    let server = Server::start_with_env(dir.path(), &[], &prod).await;
    let admin = String::from_utf8(
        rapd(&["control-token", "--data-dir", dir.path().to_str().unwrap()]).stdout,
    )
    .unwrap();
    let client = reqwest::Client::new();
    for path in ["/_rapd/export", "/_rapd/requests", "/_rapd/faults"] {
        let r = client
            .get(format!("{}{path}", server.origin))
            .bearer_auth(admin.trim())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    drop(server);

    let enabled = [
        ("RAPD_PROFILE", "production"),
        ("RAPD_DEV_ISSUER", "true"),
        ("RAPD_CONTROL", "on"),
        ("RAPD_CONTROL_ADMIN_TOKEN", "a-configured-admin-token"),
    ];
    let server = Server::start_with_env(dir.path(), &[], &enabled).await;
    let r = client
        .get(format!("{}/_rapd/export", server.origin))
        .bearer_auth("a-configured-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .get(format!("{}/_rapd/faults", server.origin))
        .bearer_auth("a-configured-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "fault injection is never on in production");
    let r = client
        .get(format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners",
            server.origin
        ))
        .header("x-rapd-fault", "503")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the trigger header is not read: the token is"
    );

    let with_faults = [
        ("RAPD_PROFILE", "production"),
        ("RAPD_DEV_ISSUER", "true"),
        ("RAPD_CONTROL", "on"),
        ("RAPD_CONTROL_FAULTS", "on"),
    ];
    let out = std::process::Command::new(support::RAPD)
        .args(["config", "check"])
        .envs(with_faults)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// `rapd export` prints what `rapd seed` takes, and `rapd reset` empties one tenant or all:
/// a round trip through the command line alone.
#[test]
fn rapd_export_and_reset_round_trip_through_seed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let (one, two) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let mut both = fixture(&one);
    let mut second = fixture(&two)["tenants"][0].clone();
    second["partners"][0]["id"] = "0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a002".into();
    both["tenants"].as_array_mut().unwrap().push(second);
    let file = dir.path().join("both.json");
    std::fs::write(&file, both.to_string()).unwrap();
    assert!(
        rapd(&["seed", file.to_str().unwrap(), "--data-dir", data_arg])
            .status
            .success()
    );

    let export = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["export", "--data-dir", data_arg];
        all.extend_from_slice(args);
        let out = rapd(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let everything = export(&[]);
    assert_eq!(everything["tenants"].as_array().unwrap().len(), 2);
    let only_one = export(&["--tenant", &one]);
    assert_eq!(only_one["tenants"][0]["id"], one.as_str());
    assert_eq!(
        only_one["tenants"][0]["partners"][0]["onboardingStatus"],
        "onboarded"
    );

    let out = rapd(&["reset", "--tenant", &one, "--data-dir", data_arg]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("reset tenant {one}")
    );
    let left = export(&[]);
    assert_eq!(left["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(left["tenants"][0]["id"], two.as_str());

    // What export printed seeds the tenant back as it was.
    let saved = dir.path().join("one.json");
    std::fs::write(&saved, only_one.to_string()).unwrap();
    assert!(
        rapd(&["seed", saved.to_str().unwrap(), "--data-dir", data_arg])
            .status
            .success()
    );
    assert_eq!(
        export(&["--tenant", &one])["tenants"][0]["partners"],
        only_one["tenants"][0]["partners"]
    );

    assert!(rapd(&["reset", "--data-dir", data_arg]).status.success());
    assert_eq!(export(&[]), serde_json::json!({"tenants": []}));
}
