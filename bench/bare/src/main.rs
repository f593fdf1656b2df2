//! The benchmark's baseline: the HTTP floor for the same four requests on this machine.
//! Answers GET item and PATCH with one fixed partner, GET list with 100 fixed partners (the
//! size rapd's list is measured at), and the actions with 204. No state, no auth, no OData,
//! no disk: whatever rapd costs beyond this is its own work.
use axum::{
    http::{header, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Router,
};

const CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#deviceManagement/remoteAssistancePartners";

fn partner(n: u32) -> String {
    format!(
        r#"{{"id":"a3c1f0d2-0000-4000-8000-{n:012}","displayName":"Partner {n}","onboardingUrl":"https://example.invalid/onboard","onboardingStatus":"notOnboarded","lastConnectionDateTime":"0001-01-01T00:00:00Z"}}"#
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(4010);
    let one = partner(1);
    let item: &'static str = leak(format!(
        r#"{{"@odata.context":"{CONTEXT}/$entity",{}"#,
        &one[1..]
    ));
    let all: Vec<String> = (1..=100).map(partner).collect();
    let list: &'static str = leak(format!(
        r#"{{"@odata.context":"{CONTEXT}","value":[{}]}}"#,
        all.join(",")
    ));
    let json = |body: &'static str| move || async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() };
    let no_content = || async { StatusCode::NO_CONTENT };
    let app = Router::new()
        .route("/v1.0/deviceManagement/remoteAssistancePartners", get(json(list)))
        .route(
            "/v1.0/deviceManagement/remoteAssistancePartners/{id}",
            get(json(item)).patch(json(item)),
        )
        .route("/v1.0/deviceManagement/remoteAssistancePartners/{id}/disconnect", post(no_content))
        .route("/v1.0/deviceManagement/remoteAssistancePartners/{id}/beginOnboarding", post(no_content));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
