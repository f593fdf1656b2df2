//! Where a fault meets a request. The [`InjectFaults`] layer notes what a request may get (its
//! `x-rapd-fault` trigger, or the rules to judge it by) as a [`PendingFault`]; the server applies
//! it only once the caller's token is verified, so a request without a valid token is answered at
//! once and never waits or holds a slot on a fault's account.
//!
//! Only loopback peers get faults, as only they reach `/_rapd/`, unless `control.allow_remote`.
//! All the latency injected into one request, a `$batch`'s inner requests included, is drawn from
//! one [`FaultBudget`] of `max_fault_delay`.
//!
//! With no rule set, a request without the trigger costs one atomic load and one header lookup.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request},
    response::Response,
};
use http::Method;
use rapd_http::Around;

use crate::{
    error::ControlError,
    faults::{Faults, TRIGGER, Verdict, parse_trigger},
};

/// The milliseconds of injected latency one request (with its `$batch` items) has left. Clones
/// share the count.
#[derive(Clone, Debug)]
pub struct FaultBudget(Arc<AtomicU64>);

impl FaultBudget {
    pub fn new(max: Duration) -> FaultBudget {
        let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        FaultBudget(Arc::new(AtomicU64::new(ms)))
    }

    /// Takes up to `ms` from what is left; returns what was granted.
    fn take(&self, ms: u64) -> u64 {
        let before = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                Some(left.saturating_sub(ms))
            })
            .unwrap_or_else(|left| left);
        before.min(ms)
    }
}

/// What a request gets once its caller is authenticated.
#[derive(Clone)]
pub struct PendingFault {
    decision: Decision,
    budget: FaultBudget,
}

#[derive(Clone)]
enum Decision {
    /// The trigger header, parsed; a malformed one is refused (to an authenticated caller) with
    /// this reason.
    Trigger(Result<Verdict, String>),
    /// No trigger: the rules decide, judged only now so an unauthenticated request uses no
    /// rule's count.
    Rules {
        faults: Arc<Faults>,
        method: Method,
        path: String,
    },
}

impl PendingFault {
    /// Waits the latency the budget still allows, then answers `Err` with the injected fault,
    /// or with why the trigger header is malformed; `Ok` lets the request go on.
    pub async fn apply(self) -> Result<(), ControlError> {
        let verdict = match self.decision {
            Decision::Trigger(verdict) => verdict.map_err(ControlError::Invalid)?,
            Decision::Rules {
                faults,
                method,
                path,
            } => faults.judge(method.as_str(), &path),
        };
        let granted = self.budget.take(verdict.latency_ms);
        if granted > 0 {
            tokio::time::sleep(Duration::from_millis(granted)).await;
        }
        match verdict.fault {
            Some((status, retry_after_secs)) => Err(ControlError::InjectedFault {
                status,
                retry_after_secs,
            }),
            None => Ok(()),
        }
    }
}

/// Fault injection as an [`Around`]: it never answers itself, it only attaches a
/// [`PendingFault`] (and the request's [`FaultBudget`]) to the requests that may get one.
#[derive(Clone)]
pub struct InjectFaults {
    faults: Arc<Faults>,
    allow_remote: bool,
    max_delay: Duration,
}

impl InjectFaults {
    pub fn new(faults: Arc<Faults>, allow_remote: bool, max_delay: Duration) -> InjectFaults {
        InjectFaults {
            faults,
            allow_remote,
            max_delay,
        }
    }
}

/// Whether the accept loop saw the request come from a loopback address.
fn from_loopback(request: &Request) -> bool {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback())
}

impl Around for InjectFaults {
    type Carry = ();
    type Refusal = Infallible;

    fn before(&self, request: &mut Request) -> Result<(), Infallible> {
        let trigger = request.headers().get(TRIGGER);
        if trigger.is_none() && !self.faults.is_active() {
            return Ok(());
        }
        if !self.allow_remote && !from_loopback(request) {
            return Ok(());
        }
        let decision = match trigger {
            Some(value) => Decision::Trigger(match value.to_str() {
                Ok(text) => parse_trigger(text).map_err(|e| match e {
                    ControlError::Invalid(reason) => reason,
                    other => other.to_string(),
                }),
                Err(_) => Err(format!("{TRIGGER} is not ASCII")),
            }),
            None => Decision::Rules {
                faults: self.faults.clone(),
                method: request.method().clone(),
                path: request.uri().path().to_owned(),
            },
        };
        let budget = match request.extensions().get::<FaultBudget>() {
            Some(budget) => budget.clone(),
            None => {
                let budget = FaultBudget::new(self.max_delay);
                request.extensions_mut().insert(budget.clone());
                budget
            }
        };
        request
            .extensions_mut()
            .insert(PendingFault { decision, budget });
        Ok(())
    }

    fn after(&self, (): (), response: Response) -> Response {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_grants_what_is_left_and_clones_share_it() {
        let budget = FaultBudget::new(Duration::from_millis(500));
        let shared = budget.clone();
        assert_eq!(budget.take(300), 300);
        assert_eq!(shared.take(300), 200);
        assert_eq!(budget.take(1), 0);
    }
}
