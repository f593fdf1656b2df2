//! `GET /console/diagnostics`: the session tenant's entries of the request log, and the fault
//! rules in force (they apply to every tenant), while the test-control API is on.

use axum::{extract::State, response::Response};
use http::HeaderMap;
use maud::{Markup, html};
use serde_json::Value;

use crate::{
    Console, ConsoleError, Lang,
    layout::{Section, page, table_head},
};

/// How far back in the log the console looks for the tenant's requests.
const SCANNED: usize = 1000;
const SHOWN: usize = 100;

pub async fn show_diagnostics(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let visit = console.visit(&headers)?;
    let body = match &console.0.control {
        None => html! { p { (lang.t("control-off")) } },
        Some(control) => {
            let tenant = visit.user.tenant.to_string();
            let log = control.request_log(SCANNED);
            let requests: Vec<&Value> = log["value"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["tenantId"].as_str() == Some(tenant.as_str()))
                .take(SHOWN)
                .collect();
            html! {
                section aria-labelledby="requests-title" {
                    h2 #requests-title { (lang.t("requests-title")) }
                    (request_table(lang, &requests))
                }
                section aria-labelledby="faults-title" {
                    h2 #faults-title { (lang.t("faults-title")) }
                    (fault_table(lang, control.fault_rules()))
                }
            }
        }
    };
    Ok(page(
        &visit.frame(lang, Section::Diagnostics),
        &lang.t("diagnostics-title"),
        body,
    ))
}

fn request_table(lang: Lang, requests: &[&Value]) -> Markup {
    html! {
        @if requests.is_empty() {
            p { (lang.t("requests-empty")) }
        } @else {
            table data-requests {
                (table_head(lang, &["col-when", "col-method", "col-path", "col-status-code", "col-duration"]))
                tbody {
                    @for r in requests {
                        tr {
                            td { (r["dateTime"].as_str().unwrap_or("")) }
                            td { (r["method"].as_str().unwrap_or("")) }
                            td { code { (r["path"].as_str().unwrap_or("")) } }
                            td { (r["status"]) }
                            td { (r["durationMs"]) }
                        }
                    }
                }
            }
        }
    }
}

fn fault_table(lang: Lang, rules: Option<Value>) -> Markup {
    let Some(rules) = rules else {
        return html! { p { (lang.t("faults-off")) } };
    };
    let rules = rules["value"].as_array().cloned().unwrap_or_default();
    html! {
        @if rules.is_empty() {
            p { (lang.t("faults-empty")) }
        } @else {
            table data-faults {
                (table_head(lang, &["col-rule-method", "col-rule-path", "col-rule-effect", "col-rule-left"]))
                tbody {
                    @for rule in &rules {
                        tr {
                            td { (rule["method"].as_str().unwrap_or("*")) }
                            td { code { (rule["path"].as_str().unwrap_or("")) } }
                            td { (effect(rule)) }
                            td { (rule["remaining"].as_u64().map(|n| n.to_string()).unwrap_or_else(|| "∞".into())) }
                        }
                    }
                }
            }
        }
    }
}

/// `429, p=0.5, Retry-After 2 s` or `latency 100–200 ms`.
fn effect(rule: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(status) = rule["status"].as_u64() {
        parts.push(format!(
            "{status}, Retry-After {} s",
            rule["retryAfterSeconds"]
        ));
    }
    if let Some([min, max]) = rule["latencyMs"].as_array().map(Vec::as_slice) {
        parts.push(format!("latency {min}–{max} ms"));
    }
    if rule["probability"].as_f64().is_some_and(|p| p < 1.0) {
        parts.push(format!("p={}", rule["probability"]));
    }
    parts.join(", ")
}
