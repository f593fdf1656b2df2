//! `GET /console/events`: server-sent events of the tenant's partners' badges. The stream reads
//! Graph's partner list once a second as the session's user and sends the badges that changed
//! (all of them first); it ends when the session does or Graph stops accepting its token.

use std::{collections::HashMap, convert::Infallible, time::Duration};

use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::Stream;
use http::HeaderMap;
use serde_json::Value;

use crate::{Console, ConsoleError, Lang, layout::badge_state, partners::PARTNERS};

const POLL: Duration = Duration::from_secs(1);

struct Watch {
    console: Console,
    lang: Lang,
    session: String,
    token: String,
    /// Each partner's badge as last sent.
    sent: HashMap<String, Value>,
    first: bool,
}

pub async fn partner_events(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ConsoleError> {
    let visit = console.visit(&headers)?;
    let watch = Watch {
        console,
        lang,
        session: visit.id,
        token: visit.user.token,
        sent: HashMap::new(),
        first: true,
    };
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let changed = watch.next_change().await?;
        let event = Event::default().event("partner").data(changed.to_string());
        Some((Ok(event), watch))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

impl Watch {
    /// Waits for the next change of any badge; `None` ends the stream.
    async fn next_change(&mut self) -> Option<Value> {
        loop {
            if !std::mem::take(&mut self.first) {
                tokio::time::sleep(POLL).await;
            }
            self.console.0.sessions.find_by_id(&self.session)?;
            let path = format!(
                "{PARTNERS}?$select=id,onboardingStatus,lastConnectionDateTime,onboardingRequestExpiryDateTime"
            );
            let partners = self
                .console
                .0
                .graph
                .list(&self.token, &path, 20)
                .await
                .ok()?;
            let now = self.console.0.clock.now();
            let mut changed = Vec::new();
            for partner in &partners {
                let state = badge_state(self.lang, now, partner);
                let id = partner["id"].as_str().unwrap_or("").to_owned();
                if self.sent.get(&id) != Some(&state) {
                    self.sent.insert(id, state.clone());
                    changed.push(state);
                }
            }
            if !changed.is_empty() {
                return Some(Value::Array(changed));
            }
        }
    }
}
