//! Headers every console answer carries (a strict Content-Security-Policy: no inline script or
//! style, nothing from another origin, no framing), and the error page in the request's language.

use axum::{extract::Request, middleware::Next, response::Response};
use http::{HeaderValue, header};
use maud::html;

use crate::{
    ConsoleError, Lang,
    layout::{Frame, Section, page},
};

/// Only the console's own files; `data:` images for the onboarding link's QR code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
    script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

pub async fn secure_and_localize(request: Request, next: Next) -> Response {
    let lang = Lang::negotiate(request.headers());
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<ConsoleError>() {
        let status = response.status();
        response = error_page(lang, &error);
        *response.status_mut() = status;
    }
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // The onboarding link holds a one-time code: no page address leaves in a Referer.
        (header::REFERRER_POLICY, "no-referrer"),
        (header::VARY, "Accept-Language, Cookie"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn error_page(lang: Lang, error: &ConsoleError) -> Response {
    let message = match error {
        ConsoleError::Csrf => lang.t("error-csrf"),
        ConsoleError::NotFound => lang.t("error-not-found"),
        ConsoleError::Graph {
            status,
            code,
            message,
        } => lang.t_with(
            "error-graph",
            &[
                ("status", status.as_u16().to_string().into()),
                ("code", code.as_str().into()),
                ("message", message.as_str().into()),
            ],
        ),
        ConsoleError::SignInFailed(reason) => {
            lang.t_with("error-sign-in", &[("reason", reason.as_str().into())])
        }
        ConsoleError::Internal | ConsoleError::SignInRequired => lang.t("error-internal"),
    };
    let frame = Frame {
        lang,
        user: None,
        csrf: "",
        section: Section::Partners,
    };
    page(
        &frame,
        &lang.t("error-title"),
        html! {
            p.error role="alert" data-error { (message) }
            p { a href="/console/partners" { (lang.t("back-to-partners")) } }
        },
    )
}
