//! The page frame (header, navigation, sign-out), status badges and relative times.

use axum::response::{Html, IntoResponse, Response};
use fluent_bundle::FluentValue;
use maud::{DOCTYPE, Markup, html};
use rapd_model::Timestamp;
use serde_json::{Value, json};

use crate::{Lang, session::SignedIn};

/// Which section a page belongs to (its navigation link is marked current).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Partners,
    Audit,
    Settings,
    Diagnostics,
    SignIn,
}

/// What every page's frame needs.
pub struct Frame<'a> {
    pub lang: Lang,
    pub user: Option<&'a SignedIn>,
    pub csrf: &'a str,
    pub section: Section,
}

/// A whole page.
pub fn page(frame: &Frame<'_>, title: &str, body: Markup) -> Response {
    let lang = frame.lang;
    let nav = [
        (Section::Partners, "/console/partners", "nav-partners"),
        (Section::Audit, "/console/audit", "nav-audit"),
        (Section::Settings, "/console/settings", "nav-settings"),
        (
            Section::Diagnostics,
            "/console/diagnostics",
            "nav-diagnostics",
        ),
    ];
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t("app-title")) }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.t("skip-link")) }
                header.top {
                    span.brand { (lang.t("app-title")) }
                    @if let Some(user) = frame.user {
                        nav aria-label=(lang.t("nav-label")) {
                            ul {
                                @for (section, href, id) in nav {
                                    li {
                                        @if section == frame.section {
                                            a href=(href) aria-current="page" { (lang.t(id)) }
                                        } @else {
                                            a href=(href) { (lang.t(id)) }
                                        }
                                    }
                                }
                            }
                        }
                        div.who {
                            span data-user { (lang.t_with("signed-in-as", &[
                                ("user", FluentValue::from(user.display_name.as_str())),
                                ("tenant", FluentValue::from(user.tenant.to_string())),
                            ])) }
                            form method="post" action="/console/sign-out" {
                                (csrf_field(frame.csrf))
                                button.link type="submit" { (lang.t("sign-out")) }
                            }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    @if frame.user.is_some_and(|u| !u.can_write) {
                        p.note role="note" { (lang.t("read-only-note")) }
                    }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// The hidden field every form carries.
/// A table's head: one column header per message id.
pub fn table_head(lang: Lang, columns: &[&str]) -> Markup {
    html! {
        thead { tr { @for column in columns { th scope="col" { (lang.t(column)) } } } }
    }
}

pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// A partner's status as its badge shows it: the class, the label and the detail line.
pub fn badge_state(lang: Lang, now: Timestamp, partner: &Value) -> Value {
    let status = partner["onboardingStatus"]
        .as_str()
        .unwrap_or("notOnboarded");
    let at = |name: &str| {
        partner[name]
            .as_str()
            .and_then(Timestamp::parse)
            .filter(|t| *t != Timestamp::ZERO)
    };
    let detail = match status {
        "onboarding" => at("onboardingRequestExpiryDateTime")
            .map(|t| lang.t_with("detail-expires", &[("when", relative(lang, now, t).into())])),
        "onboarded" => at("lastConnectionDateTime").map(|t| {
            lang.t_with(
                "detail-last-connection",
                &[("when", relative(lang, now, t).into())],
            )
        }),
        _ => None,
    };
    json!({
        "id": partner["id"],
        "status": status,
        "label": lang.t(&format!("status-{status}")),
        "detail": detail.unwrap_or_default(),
    })
}

/// A badge (and its detail line), which the script updates from the event stream.
pub fn badge(state: &Value) -> Markup {
    let status = state["status"].as_str().unwrap_or("");
    html! {
        span.status data-partner-status=(state["id"].as_str().unwrap_or("")) aria-live="polite" {
            span class={ "badge badge-" (status) } data-badge { (state["label"].as_str().unwrap_or("")) }
            " "
            span.detail data-detail { (state["detail"].as_str().unwrap_or("")) }
        }
    }
}

/// `then` relative to `now`: "in 59 minutes", "3 hours ago", "hace 2 días".
pub fn relative(lang: Lang, now: Timestamp, then: Timestamp) -> String {
    let secs = then.unix_secs() - now.unix_secs();
    let future = secs > 0;
    let abs = secs.abs();
    if abs < 60 {
        return lang.t("time-now");
    }
    let (unit, n) = match abs {
        a if a < 3600 => ("minutes", a / 60),
        a if a < 86_400 => ("hours", a / 3600),
        a => ("days", a / 86_400),
    };
    let id = format!("time-{}-{unit}", if future { "in" } else { "ago" });
    lang.t_with(&id, &[("n", FluentValue::from(n))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_in_either_language() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let r = |lang, secs: i64| relative(lang, now, Timestamp::from_unix_secs(1_000_000 + secs));
        assert_eq!(r(Lang::En, 10), "just now");
        assert_eq!(r(Lang::En, 3599), "in 59 minutes");
        assert_eq!(r(Lang::En, -120), "2 minutes ago");
        assert_eq!(r(Lang::Es, -7200), "hace 2 horas");
        assert_eq!(r(Lang::Es, 86_400), "dentro de 1 día");
    }

    #[test]
    fn an_onboarding_badge_shows_its_expiry() {
        let now = Timestamp::from_unix_secs(1_000_000);
        let expiry = Timestamp::from_unix_secs(1_000_000 + 3600);
        let mut buf = Vec::new();
        expiry.write_to(&mut buf);
        let partner = json!({
            "id": "p", "onboardingStatus": "onboarding",
            "onboardingRequestExpiryDateTime": String::from_utf8(buf).unwrap(),
        });
        let state = badge_state(Lang::En, now, &partner);
        assert_eq!(state["label"], "Onboarding");
        assert_eq!(state["detail"], "expires in 1 hour");
    }
}
