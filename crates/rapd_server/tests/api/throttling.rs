//! Intune's throttling: 429 with `Retry-After` at exactly the documented counts.

use rapd_auth::SCOPE_READ_WRITE;
use rapd_server::ThrottleLimits;
use reqwest::Method;
use uuid::Uuid;

use crate::app::{TestApp, graph_error, intune_text};

#[tokio::test]
async fn the_101st_write_of_an_app_is_429_and_waiting_retry_after_clears_it() {
    let app = TestApp::with(|s| s.server.throttle = Some(ThrottleLimits::INTUNE)).await;
    let id = app.create("v1.0", "p").await; // write 1
    let disconnect = format!("{}/{id}/disconnect", app.partners("v1.0"));
    for i in 2..=100 {
        let r = app.request(Method::POST, &disconnect).send().await.unwrap();
        assert_eq!(r.status(), 204, "write {i}");
    }
    let throttled = app.request(Method::POST, &disconnect).send().await.unwrap();
    assert_eq!(throttled.headers()["retry-after"], "20");
    let message = graph_error(throttled, 429, "TooManyRequests").await;
    assert!(intune_text(&message).starts_with("Too many requests."));

    // Reads have their own budget; another tenant is untouched.
    assert_eq!(
        app.request(Method::GET, &app.partners("v1.0"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let other = app.token_for(Uuid::new_v4(), &[SCOPE_READ_WRITE]);
    let r = app
        .client
        .post(app.url(&app.partners("v1.0")))
        .bearer_auth(other)
        .json(&serde_json::json!({}));
    assert_eq!(r.send().await.unwrap().status(), 201);

    app.clock.advance_secs(19);
    let r = app.request(Method::POST, &disconnect).send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.status(), 429);
    app.clock.advance_secs(1);
    assert_eq!(
        app.request(Method::POST, &disconnect)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn the_1001st_request_of_an_app_is_429() {
    let app = TestApp::with(|s| s.server.throttle = Some(ThrottleLimits::INTUNE)).await;
    let url = format!("{}/$count", app.partners("v1.0"));
    for i in 1..=1000 {
        let r = app.request(Method::GET, &url).send().await.unwrap();
        assert_eq!(r.status(), 200, "request {i}");
    }
    let r = app.request(Method::GET, &url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}
