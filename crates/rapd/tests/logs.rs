//! The log as people read and ship it: one access-log line per request (method, route template,
//! status, duration, request id, tenant; never the token, never the path's ids), plain text
//! without colour codes when stderr is no terminal, or JSON objects with `RAPD_LOG_FORMAT=json`.

mod support;

use std::{
    io::{BufRead, BufReader, Read},
    process::{Command, Stdio},
};

use support::RAPD;

/// Starts rapd with `env`, GETs a missing partner and lists partners with a valid token, stops it;
/// the token and the whole stderr.
async fn logged(env: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(RAPD)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RAPD_LOG", "info")
        // The test command's own variables would draw a warning line that is not a log event.
        .env_remove(rapd_store::testing::DATABASE_URL_VAR)
        .env_remove(rapd_store::testing::ENGINE_VAR)
        .env_remove("RAPD_TEST_REDIS_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let origin = support::printed_origin(&mut BufReader::new(child.stdout.take().unwrap()).lines());
    let token = support::token(dir.path(), &[]);
    let partners = format!("{origin}/v1.0/deviceManagement/remoteAssistancePartners");
    let client = reqwest::Client::new();
    let missing = format!("{partners}/0b2d3c4e-2222-4e5f-8a7b-6c5d4e3f2a10");
    let status = client
        .get(&missing)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
    let status = client
        .get(&partners)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = child.wait();
    (token, log)
}

const ROUTE: &str =
    "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_gets_one_plain_access_line() {
    let (token, log) = logged(&[]).await;
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes off a terminal: {log:?}"
    );
    assert!(!log.contains("Some("), "{log}");
    assert!(!log.contains(&token), "the token is never logged");
    assert!(
        !log.contains("0b2d3c4e-2222"),
        "the path's id is not logged: {log}"
    );
    let line = log
        .lines()
        .find(|l| l.contains("rapd::access") && l.contains(ROUTE))
        .unwrap_or_else(|| panic!("no access line: {log}"));
    for field in [
        "INFO",
        "method=GET",
        "status=404",
        "duration_ms=",
        "request_id=",
        &format!("tenant={}", rapd_auth::DEV_TENANT),
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    let serving = log.lines().find(|l| l.contains("serving")).unwrap();
    assert!(serving.contains("listen=http://127.0.0.1:"), "{serving}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_parse_line_by_line() {
    let (token, log) = logged(&[("RAPD_LOG_FORMAT", "json")]).await;
    assert!(!log.contains(&token));
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let access: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["target"] == "rapd::access")
        .collect();
    let missing = access
        .iter()
        .find(|l| l["route"] == ROUTE)
        .unwrap_or_else(|| panic!("{access:?}"));
    assert_eq!(missing["level"], "INFO");
    assert_eq!(missing["method"], "GET");
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["tenant"], rapd_auth::DEV_TENANT.to_string());
    assert!(missing["duration_ms"].as_f64().is_some());
    assert_eq!(missing["request_id"].as_str().unwrap().len(), 36);
    assert!(access.iter().any(|l| l["route"]
        == "/{version}/deviceManagement/remoteAssistancePartners"
        && l["status"] == 200));
}
