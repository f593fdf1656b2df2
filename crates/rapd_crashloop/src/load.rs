//! The mixed write load: each writer creates, renames, onboards, disconnects and deletes its
//! own partners, one request at a time, until a request goes unanswered (the kill).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::ledger::{AuditTally, Book, Kind, Shown, Tracked};

/// Writers keep at most this many partners, so runs stay small.
const MAX_PARTNERS_PER_WRITER: usize = 20;

pub struct Writer {
    pub number: usize,
    pub client: reqwest::Client,
    pub partners_url: String,
    pub token: String,
    pub book: Book,
    pub tally: AuditTally,
    pub rng: StdRng,
    /// Set once the server is dead; no new write starts after that.
    pub stop: Arc<AtomicBool>,
    /// Counts this writer's marks across the whole run.
    pub sequence: u64,
}

/// What became of one request.
enum Outcome {
    Acknowledged(Value),
    /// An answer that is not 2xx: the server refused, so nothing may change.
    Refused(u16),
    /// No answer: the server died while the write was in flight.
    InDoubt,
}

impl Writer {
    /// Sends writes until one is left in doubt or `stop` is set. Returns the refusals seen,
    /// with their status.
    pub async fn run(&mut self) -> Vec<(String, u16)> {
        let mut refusals = Vec::new();
        while !self.stop.load(Ordering::Relaxed) {
            self.sequence += 1;
            let mark = format!("w{}-{}", self.number, self.sequence);
            let alive: Vec<usize> = (0..self.book.partners.len())
                .filter(|&i| self.book.partners[i].state.is_some())
                .collect();
            let create = alive.is_empty()
                || (alive.len() < MAX_PARTNERS_PER_WRITER && self.rng.gen_bool(0.3));
            if create {
                match self.write(Kind::Create, "", &mark).await {
                    Outcome::Acknowledged(body) => {
                        let id = body["id"].as_str().unwrap_or_default().to_owned();
                        self.tally.applied(&id, Kind::Create);
                        self.book.acknowledged += 1;
                        self.book.partners.push(Tracked {
                            id,
                            state: Some(Shown {
                                name: mark,
                                status: "notOnboarded",
                            }),
                            in_doubt: None,
                        });
                    }
                    Outcome::Refused(status) => refusals.push((format!("create {mark}"), status)),
                    Outcome::InDoubt => {
                        self.book.creates_in_doubt.push(mark);
                        return refusals;
                    }
                }
                continue;
            }
            let index = alive[self.rng.gen_range(0..alive.len())];
            let kind = match self.rng.gen_range(0..100) {
                0..30 => Kind::Patch,
                30..55 => Kind::BeginOnboarding,
                55..85 => Kind::Disconnect,
                _ => Kind::Delete,
            };
            let id = self.book.partners[index].id.clone();
            match self.write(kind, &id, &mark).await {
                Outcome::Acknowledged(_) => {
                    let tracked = &mut self.book.partners[index];
                    tracked.state = tracked.after(kind, &mark);
                    self.tally.applied(&id, kind);
                    self.book.acknowledged += 1;
                }
                Outcome::Refused(status) => refusals.push((format!("{kind:?} {id}"), status)),
                Outcome::InDoubt => {
                    self.book.partners[index].in_doubt = Some((kind, mark));
                    return refusals;
                }
            }
        }
        refusals
    }

    async fn write(&self, kind: Kind, id: &str, mark: &str) -> Outcome {
        let url = format!("{}/{id}", self.partners_url);
        let request = match kind {
            Kind::Patch => self.client.patch(url).json(&json!({ "displayName": mark })),
            Kind::BeginOnboarding => self.client.post(format!("{url}/beginOnboarding")),
            Kind::Disconnect => self.client.post(format!("{url}/disconnect")),
            Kind::Delete => self.client.delete(url),
            Kind::Create => self
                .client
                .post(&self.partners_url)
                .json(&json!({ "displayName": mark })),
        };
        outcome(request.bearer_auth(&self.token)).await
    }
}

async fn outcome(request: reqwest::RequestBuilder) -> Outcome {
    let Ok(response) = request.send().await else {
        return Outcome::InDoubt;
    };
    let status = response.status();
    // The status line arrived, but a body cut short by the kill still counts as answered
    // only if it parses; an acknowledgement must be complete.
    let Ok(text) = response.text().await else {
        return Outcome::InDoubt;
    };
    if !status.is_success() {
        return Outcome::Refused(status.as_u16());
    }
    if text.is_empty() {
        return Outcome::Acknowledged(Value::Null);
    }
    match serde_json::from_str(&text) {
        Ok(body) => Outcome::Acknowledged(body),
        Err(_) => Outcome::InDoubt,
    }
}
