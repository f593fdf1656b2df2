//! The console's entry (`rapd_console`, docs/console.md): HTML for browsers, so only its door is
//! described; its pages, forms and event stream are the console's own business.

use serde_json::{Map, Value, json};

/// The tag of the console's entry.
pub const TAG: &str = "console";

pub fn paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/console".into(),
        json!({ "get": {
            "tags": [TAG],
            "operationId": "getConsole",
            "summary": "The administrator's console (HTML), served in the development profile",
            "description": "Redirects to the sign-in page, or to the partners page once signed in. Served in the development profile while the development issuer is on; see docs/console.md.",
            "security": [],
            "responses": {
                "303": {
                    "description": "To `/console/sign-in`, or `/console/partners` once signed in",
                    "headers": { "Location": { "schema": { "type": "string" } } },
                },
                "200": {
                    "description": "The page the redirect leads to, for a client that follows it",
                    "content": { "text/html": { "schema": { "type": "string" } } },
                },
            },
        } }),
    );
}
