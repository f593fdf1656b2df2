//! `GET /console/assets/{file}`: the stylesheet and the script, compiled into the binary.

use axum::{
    extract::Path,
    response::{IntoResponse, Response},
};
use http::header;

use crate::ConsoleError;

const CSS: &str = include_str!("../assets/console.css");
const JS: &str = include_str!("../assets/console.js");

pub async fn asset(Path(file): Path<String>) -> Result<Response, ConsoleError> {
    let (body, content_type) = match file.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(ConsoleError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response())
}
