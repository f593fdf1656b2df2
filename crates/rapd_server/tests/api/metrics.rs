//! `GET /metrics` after real traffic: every request counted by route template, method and
//! status, with its latency; throttled and shed requests; the store's write transactions.

use rapd_server::ThrottleLimits;
use reqwest::Method;

use crate::app::TestApp;

async fn scrape(app: &TestApp) -> String {
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = r.text().await.unwrap();
    check_exposition(&text);
    text
}

/// The text format's grouping: each family once, its `# HELP` and `# TYPE` first, then only its
/// own samples (a histogram's with `_bucket`, `_sum` and `_count`).
fn check_exposition(text: &str) {
    let mut seen = std::collections::HashSet::new();
    let mut family = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            family = rest.split(' ').next().unwrap().to_owned();
            assert!(seen.insert(family.clone()), "{family} twice");
        } else if !line.starts_with("# HELP ") {
            let name = line.split(['{', ' ']).next().unwrap();
            let own = [""]
                .iter()
                .chain(&["_bucket", "_sum", "_count"])
                .any(|suffix| name == format!("{family}{suffix}"));
            assert!(own, "{name} outside its family (in {family})");
        }
    }
}

/// The value of the sample `series` (name and labels as rendered), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

const COLLECTION: &str = "/{version}/deviceManagement/remoteAssistancePartners";

#[tokio::test]
async fn requests_are_counted_by_route_method_and_status() {
    let app = TestApp::with(|s| {
        s.server.throttle = Some(ThrottleLimits {
            app_requests: 5,
            ..ThrottleLimits::INTUNE
        })
    })
    .await;
    let id = app.create("v1.0", "counted").await;
    for _ in 0..3 {
        let r = app.request(Method::GET, &app.partners("beta")).send().await;
        assert_eq!(r.unwrap().status(), 200);
    }
    let missing = format!("{}/{}", app.partners("v1.0"), uuid::Uuid::new_v4());
    let r = app.request(Method::GET, &missing).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // No token: refused before the handler, still counted on its route.
    let r = app.client.get(app.url(&app.partners("v1.0"))).send().await;
    assert_eq!(r.unwrap().status(), 401);
    // The sixth request of the app in the window (the 401 was not admitted) is throttled.
    let r = app.request(Method::GET, &app.partners("v1.0")).send().await;
    assert_eq!(r.unwrap().status(), 429);
    let r = app.client.get(app.url("/v1.0/nothing/here")).send().await;
    assert_eq!(r.unwrap().status(), 400);

    let text = scrape(&app).await;
    let requests = |route: &str, method: &str, status: u16| {
        value(
            &text,
            &format!(
                "rapd_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(requests(COLLECTION, "POST", 201), Some(1.0), "{text}");
    assert_eq!(requests(COLLECTION, "GET", 200), Some(3.0));
    assert_eq!(requests(COLLECTION, "GET", 401), Some(1.0));
    assert_eq!(requests(COLLECTION, "GET", 429), Some(1.0));
    let item = format!("{COLLECTION}/{{remoteAssistancePartner-id}}");
    assert_eq!(requests(&item, "GET", 404), Some(1.0));
    assert_eq!(requests("unmatched", "GET", 400), Some(1.0));
    // No raw path, and so no id, is ever a label.
    assert!(!text.contains(&id), "an id leaked into a label");
    let latency = format!(
        "rapd_http_request_duration_seconds_count{{route=\"{COLLECTION}\",method=\"GET\"}}"
    );
    assert_eq!(value(&text, &latency), Some(5.0));
    assert!(text.contains("# TYPE rapd_http_request_duration_seconds histogram"));
    assert_eq!(value(&text, "rapd_throttled_requests_total"), Some(1.0));
    // The create committed one write transaction.
    let engine = if text.contains("engine=\"postgres\"") {
        "postgres"
    } else {
        "sqlite"
    };
    let commits = format!("rapd_store_commit_seconds_count{{engine=\"{engine}\"}}");
    assert!(value(&text, &commits).unwrap() >= 1.0, "{text}");
    match engine {
        "sqlite" => assert!(value(&text, "rapd_store_sqlite_writer_queue").is_some()),
        _ => assert!(value(&text, "rapd_store_postgres_pool_waiting").is_some()),
    }
}

#[tokio::test]
async fn shed_requests_are_counted_by_surface() {
    // A budget of nothing: every Graph request is shed, and `/metrics` (outside load shedding)
    // still answers.
    let app = TestApp::with(|s| s.server.max_concurrent_requests = 0).await;
    for _ in 0..3 {
        let r = app.request(Method::GET, &app.partners("v1.0")).send().await;
        assert_eq!(r.unwrap().status(), 503);
    }
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "rapd_shed_requests_total{surface=\"graph\"}"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "rapd_requests_in_flight{surface=\"graph\"}"),
        Some(0.0)
    );
}

#[tokio::test]
async fn metrics_off_removes_the_route() {
    let app = TestApp::with(|s| s.server.metrics = false).await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_ne!(r.status(), 200);
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"].get("/metrics").is_none());
}
