//! The request log: the last N requests in a ring of fixed-size entries, so memory stays the
//! same however long rapd runs (WireMock's unbounded journal is the cautionary tale).
//!
//! An entry holds the method, the path without its query (no secrets ride in a path here), the
//! status, the duration, the request id and the tenant: never a header, a token or a body.

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::Instant,
};

use axum::{extract::Request, response::Response};
use rapd_http::{Around, request_id_of};
use rapd_model::{Clock, TenantId, Timestamp};
use serde_json::{Value, json};
use uuid::Uuid;

/// The longest path kept, in bytes; longer ones are cut at a character boundary.
pub const MAX_PATH_BYTES: usize = 128;
const MAX_METHOD_BYTES: usize = 8;

/// One request, in fixed-size fields.
#[derive(Clone, Copy)]
struct Entry {
    sequence: u64,
    at: Timestamp,
    method: [u8; MAX_METHOD_BYTES],
    method_len: u8,
    path: [u8; MAX_PATH_BYTES],
    path_len: u8,
    status: u16,
    duration_micros: u32,
    request_id: [u8; 16],
    tenant: Option<[u8; 16]>,
}

const EMPTY: Entry = Entry {
    sequence: 0,
    at: Timestamp::ZERO,
    method: [0; MAX_METHOD_BYTES],
    method_len: 0,
    path: [0; MAX_PATH_BYTES],
    path_len: 0,
    status: 0,
    duration_micros: 0,
    request_id: [0; 16],
    tenant: None,
};

struct Ring {
    entries: Box<[Entry]>,
    /// How many entries were ever recorded; the next goes to `recorded % capacity`.
    recorded: u64,
    /// `recorded` when the log was last cleared: entries before it are not shown.
    cleared: u64,
}

/// The ring, allocated once at its full capacity, and the clock its entries are dated by.
pub struct Journal {
    ring: Mutex<Ring>,
    capacity: usize,
    clock: Arc<dyn Clock>,
}

/// Where the token's tenant is written once the request is authenticated.
#[derive(Clone, Default)]
pub struct TenantSlot(Arc<OnceLock<TenantId>>);

impl TenantSlot {
    pub fn set(&self, tenant: TenantId) {
        let _ = self.0.set(tenant);
    }

    /// The tenant, once the request was authenticated.
    pub fn get(&self) -> Option<TenantId> {
        self.0.get().copied()
    }
}

/// Copies the longest prefix of `text` that fits `N` bytes and ends on a character boundary.
fn bounded<const N: usize>(text: &str) -> ([u8; N], u8) {
    let mut end = text.len().min(N);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = [0u8; N];
    out[..end].copy_from_slice(&text.as_bytes()[..end]);
    (out, end as u8)
}

impl Journal {
    pub fn new(capacity: usize, clock: Arc<dyn Clock>) -> Journal {
        Journal {
            clock,
            ring: Mutex::new(Ring {
                entries: vec![EMPTY; capacity.max(1)].into_boxed_slice(),
                recorded: 0,
                cleared: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn record(&self, mut entry: Entry) {
        // The critical section is one copy of a small entry.
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.recorded += 1;
        entry.sequence = ring.recorded;
        let slot = ((ring.recorded - 1) % self.capacity as u64) as usize;
        ring.entries[slot] = entry;
    }

    /// The newest `limit` entries, newest first, as JSON.
    pub fn newest(&self, limit: usize) -> Value {
        let (entries, recorded) = {
            let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
            let held = (ring.recorded - ring.cleared).min(self.capacity as u64) as usize;
            let take = limit.min(held);
            let entries: Vec<Entry> = (0..take)
                .map(|i| {
                    let slot = ((ring.recorded - 1 - i as u64) % self.capacity as u64) as usize;
                    ring.entries[slot]
                })
                .collect();
            (entries, ring.recorded)
        };
        let value: Vec<Value> = entries.into_iter().map(Entry::to_json).collect();
        json!({ "capacity": self.capacity, "recorded": recorded, "value": value })
    }

    /// Forgets every entry (the sequence keeps counting).
    pub fn clear(&self) {
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.cleared = ring.recorded;
    }
}

impl Entry {
    fn to_json(self) -> Value {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        json!({
            "sequence": self.sequence,
            "dateTime": self.at.to_string(),
            "method": text(&self.method[..self.method_len as usize]),
            "path": text(&self.path[..self.path_len as usize]),
            "status": self.status,
            "durationMs": f64::from(self.duration_micros) / 1000.0,
            "requestId": Uuid::from_bytes(self.request_id).to_string(),
            "tenantId": self.tenant.map(|t| Uuid::from_bytes(t).to_string()),
        })
    }
}

/// Records every request that passes: outside the envelope, so it sees the request id.
#[derive(Clone)]
pub struct RecordRequests(Arc<Journal>);

impl RecordRequests {
    pub fn new(journal: Arc<Journal>) -> RecordRequests {
        RecordRequests(journal)
    }
}

/// What the request log keeps of a request until its response.
pub struct Started {
    at: Instant,
    method: ([u8; MAX_METHOD_BYTES], u8),
    path: ([u8; MAX_PATH_BYTES], u8),
    slot: TenantSlot,
}

impl Around for RecordRequests {
    type Carry = Option<Started>;
    type Refusal = std::convert::Infallible;

    fn before(&self, request: &mut Request) -> Result<Option<Started>, Self::Refusal> {
        // The control API's own calls are not logged, routed or not (`/_rapd/nowhere`).
        let path = request.uri().path();
        if path
            .strip_prefix(crate::PREFIX)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        {
            return Ok(None);
        }
        // The access log's slot, when it is on: one slot serves both.
        let slot = match request.extensions().get::<TenantSlot>() {
            Some(slot) => slot.clone(),
            None => {
                let slot = TenantSlot::default();
                request.extensions_mut().insert(slot.clone());
                slot
            }
        };
        Ok(Some(Started {
            at: Instant::now(),
            method: bounded::<MAX_METHOD_BYTES>(request.method().as_str()),
            path: bounded::<MAX_PATH_BYTES>(request.uri().path()),
            slot,
        }))
    }

    fn after(&self, started: Option<Started>, response: Response) -> Response {
        let Some(started) = started else {
            return response;
        };
        let request_id = request_id_of(&response)
            .and_then(|v| Uuid::try_parse(v).ok())
            .map_or([0; 16], |u| *u.as_bytes());
        self.0.record(Entry {
            sequence: 0,
            at: self.0.clock.now(),
            method: started.method.0,
            method_len: started.method.1,
            path: started.path.0,
            path_len: started.path.1,
            status: response.status().as_u16(),
            duration_micros: u32::try_from(started.at.elapsed().as_micros()).unwrap_or(u32::MAX),
            request_id,
            tenant: started.slot.0.get().map(|t| *t.0.as_bytes()),
        });
        response
    }
}
