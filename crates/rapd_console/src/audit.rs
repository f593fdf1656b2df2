//! `GET /console/audit`: the tenant's audit trail, newest first, with its actors, read from
//! Graph's beta `auditEvents` (which answers oldest first; the console reads up to 10 pages).

use axum::{extract::State, response::Response};
use http::HeaderMap;
use maud::html;
use rapd_model::Timestamp;
use serde_json::Value;

use crate::{
    Console, ConsoleError, Lang,
    layout::{Section, page, relative, table_head},
};

const AUDIT_EVENTS: &str = "/beta/deviceManagement/auditEvents?$top=100";
/// The newest records shown.
const SHOWN: usize = 200;

pub async fn show_audit(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let visit = console.visit(&headers)?;
    let events = console
        .0
        .graph
        .list(&visit.user.token, AUDIT_EVENTS, 10)
        .await?;
    let now = console.0.clock.now();
    let body = html! {
        @if events.is_empty() {
            p { (lang.t("audit-empty")) }
        } @else {
            table data-audit {
                (table_head(lang, &["col-when", "col-activity", "col-actor", "col-resource", "col-result"]))
                tbody {
                    @for event in events.iter().rev().take(SHOWN) {
                        @let when = event["activityDateTime"].as_str().unwrap_or("");
                        tr data-audit-event {
                            td { time datetime=(when) title=(when) {
                                (Timestamp::parse(when).map(|t| relative(lang, now, t)).unwrap_or_default())
                            } }
                            td data-activity { (event["activityType"].as_str().unwrap_or("")) }
                            td data-actor { (actor(lang, &event["actor"])) }
                            td { (event["resources"][0]["displayName"].as_str().unwrap_or("")) }
                            td { (event["activityResult"].as_str().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(
        &visit.frame(lang, Section::Audit),
        &lang.t("audit-title"),
        body,
    ))
}

/// Who did it: the user's UPN, the partner's vendor, the test-control API, or the app.
fn actor(lang: Lang, actor: &Value) -> String {
    let kind = actor["type"]
        .as_str()
        .or(actor["auditActorType"].as_str())
        .unwrap_or("");
    match (actor["userPrincipalName"].as_str(), kind) {
        (Some(upn), _) => upn.to_owned(),
        (None, "Partner") => lang.t("actor-partner"),
        (None, "TestControl") => lang.t("actor-test-control"),
        (None, _) => actor["applicationId"].as_str().unwrap_or(kind).to_owned(),
    }
}
