//! Fault injection, as Dev Proxy offers it but inside the server: rules per route pattern and
//! method with a probability of 429, 500 or 503 (with `Retry-After`) and an added latency, and the
//! per-request trigger header `x-rapd-fault` for deterministic tests (`injection.rs` applies
//! them to requests).

use std::sync::{
    Arc, RwLock,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use http::HeaderName;
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};

use crate::error::ControlError;

/// The trigger header: `x-rapd-fault: 429`, `503; retry-after=2`, `latency=250`.
pub const TRIGGER: HeaderName = HeaderName::from_static("x-rapd-fault");
/// The most rules held at once.
pub const MAX_RULES: usize = 64;
/// The longest latency a rule or the trigger may add, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// The most latency injected into one request in all, a `$batch`'s inner requests included, in
/// milliseconds (`ControlConfig::max_fault_delay`, which tests lower).
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;
/// The largest `Retry-After` a fault may carry, in seconds.
pub const MAX_RETRY_AFTER_SECS: u32 = 3_600;
/// The longest route pattern, in bytes.
const MAX_PATTERN_BYTES: usize = 512;

/// A rule as clients send it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ControlFaultRuleInput)]
pub struct RuleInput {
    /// `GET`, `POST`, …; absent or `*`: every method.
    #[serde(default)]
    method: Option<String>,
    /// A path whose `{…}` segments match any one segment, or `*` for every path.
    #[schema(min_length = 1, max_length = 512)]
    path: String,
    /// 429, 500 or 503; absent: latency only.
    #[serde(default)]
    #[schema(schema_with = fault_status)]
    status: Option<u16>,
    /// The chance a matching request is faulted, 0 to 1; default 1.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    probability: Option<f64>,
    #[serde(default)]
    #[schema(schema_with = retry_after_seconds)]
    retry_after_seconds: Option<u32>,
    /// `[min, max]` milliseconds added before answering.
    #[serde(default)]
    #[schema(schema_with = latency_ms)]
    latency_ms: Option<[u64; 2]>,
    /// Only the next `count` matching requests; absent: until the rules are cleared.
    #[serde(default)]
    #[schema(minimum = 1)]
    count: Option<u64>,
}

/// `RuleInput::status`: the statuses a fault may answer.
fn fault_status() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some([429, 500, 503]))
}

/// `RuleInput::retry_after_seconds`.
fn retry_after_seconds() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(MAX_RETRY_AFTER_SECS))
}

/// `RuleInput::latency_ms`: `[min, max]`.
fn latency_ms() -> ArrayBuilder {
    ArrayBuilder::new()
        .min_items(Some(2))
        .max_items(Some(2))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(MAX_LATENCY_MS)),
        )
}

#[derive(Debug)]
struct Rule {
    id: u64,
    method: Option<String>,
    segments: Option<Vec<String>>,
    pattern: String,
    status: Option<u16>,
    probability: f64,
    retry_after_secs: u32,
    latency_ms: Option<(u64, u64)>,
    /// Matching requests left; `u64::MAX` means unlimited.
    remaining: AtomicU64,
}

/// What one request gets: a delay, then maybe an error.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) latency_ms: u64,
    pub(crate) fault: Option<(u16, u32)>,
}

#[derive(Default)]
pub struct Faults {
    active: AtomicBool,
    rules: RwLock<Vec<Arc<Rule>>>,
    next_id: AtomicU64,
}

fn invalid(reason: impl Into<String>) -> ControlError {
    ControlError::Invalid(reason.into())
}

fn check_status(status: u16) -> Result<u16, ControlError> {
    match status {
        429 | 500 | 503 => Ok(status),
        _ => Err(invalid(format!(
            "fault status {status} is not one of 429, 500, 503"
        ))),
    }
}

fn check_retry_after(secs: u32) -> Result<u32, ControlError> {
    if secs > MAX_RETRY_AFTER_SECS {
        return Err(invalid(format!(
            "retry-after {secs} is more than {MAX_RETRY_AFTER_SECS} seconds"
        )));
    }
    Ok(secs)
}

fn check_latency(ms: u64) -> Result<u64, ControlError> {
    if ms > MAX_LATENCY_MS {
        return Err(invalid(format!(
            "latency {ms} ms is more than {MAX_LATENCY_MS} ms"
        )));
    }
    Ok(ms)
}

impl Faults {
    /// Adds a rule after checking it; returns it as JSON.
    pub fn add(&self, input: RuleInput) -> Result<Value, ControlError> {
        let status = input.status.map(check_status).transpose()?;
        let probability = input.probability.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&probability) {
            return Err(invalid("probability must be between 0 and 1"));
        }
        let latency_ms = match input.latency_ms {
            Some([min, max]) if min > max => {
                return Err(invalid("latencyMs must be [min, max] with min <= max"));
            }
            Some([min, max]) => Some((check_latency(min)?, check_latency(max)?)),
            None => None,
        };
        if status.is_none() && latency_ms.is_none() {
            return Err(invalid("a rule needs a status, a latencyMs range, or both"));
        }
        if input.path.is_empty() || input.path.len() > MAX_PATTERN_BYTES {
            return Err(invalid(format!(
                "path must be 1 to {MAX_PATTERN_BYTES} bytes"
            )));
        }
        if input.count == Some(0) {
            return Err(invalid("count must be at least 1"));
        }
        let method = input
            .method
            .filter(|m| m != "*")
            .map(|m| m.to_ascii_uppercase());
        let segments =
            (input.path != "*").then(|| input.path.split('/').map(str::to_owned).collect());
        let rule = Arc::new(Rule {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            method,
            segments,
            pattern: input.path,
            status,
            probability,
            retry_after_secs: check_retry_after(input.retry_after_seconds.unwrap_or(1))?,
            latency_ms,
            remaining: AtomicU64::new(input.count.unwrap_or(u64::MAX)),
        });
        let mut rules = self.rules.write().unwrap_or_else(|e| e.into_inner());
        if rules.len() >= MAX_RULES {
            return Err(invalid(format!("at most {MAX_RULES} fault rules are held")));
        }
        rules.push(rule.clone());
        self.active.store(true, Ordering::Release);
        Ok(rule.to_json())
    }

    /// Removes the rule numbered `id`; whether there was one.
    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.rules.write().unwrap_or_else(|e| e.into_inner());
        let before = rules.len();
        rules.retain(|r| r.id != id);
        if rules.is_empty() {
            self.active.store(false, Ordering::Release);
        }
        rules.len() < before
    }

    pub fn clear(&self) {
        let mut rules = self.rules.write().unwrap_or_else(|e| e.into_inner());
        rules.clear();
        self.active.store(false, Ordering::Release);
    }

    pub fn list(&self) -> Value {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        json!({ "value": rules.iter().map(|r| r.to_json()).collect::<Vec<_>>() })
    }

    /// Whether any rule is set: one atomic load.
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// The first matching rule that fires decides; a rule with a count is used up by matches.
    pub(crate) fn judge(&self, method: &str, path: &str) -> Verdict {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        let mut exhausted = false;
        let mut verdict = Verdict::default();
        for rule in rules.iter().filter(|r| r.matches(method, path)) {
            let taken =
                rule.remaining
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| match n {
                        0 => None,
                        u64::MAX => Some(u64::MAX),
                        n => Some(n - 1),
                    });
            match taken {
                Err(_) => continue,
                Ok(1) => exhausted = true,
                Ok(_) => {}
            }
            let mut rng = rand::thread_rng();
            if rule.probability < 1.0 && !rng.gen_bool(rule.probability) {
                continue;
            }
            if let Some((min, max)) = rule.latency_ms {
                verdict.latency_ms = rng.gen_range(min..=max);
            }
            verdict.fault = rule.status.map(|s| (s, rule.retry_after_secs));
            break;
        }
        drop(rules);
        if exhausted {
            let mut rules = self.rules.write().unwrap_or_else(|e| e.into_inner());
            rules.retain(|r| r.remaining.load(Ordering::Acquire) > 0);
            self.active.store(!rules.is_empty(), Ordering::Release);
        }
        verdict
    }
}

impl Rule {
    fn matches(&self, method: &str, path: &str) -> bool {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        let Some(segments) = &self.segments else {
            return true;
        };
        let mut actual = path.split('/');
        for want in segments {
            match actual.next() {
                Some(_) if want.starts_with('{') && want.ends_with('}') => {}
                Some(got) if got == want => {}
                _ => return false,
            }
        }
        actual.next().is_none()
    }

    fn to_json(&self) -> Value {
        let remaining = self.remaining.load(Ordering::Acquire);
        json!({
            "id": self.id,
            "method": self.method.as_deref().unwrap_or("*"),
            "path": self.pattern,
            "status": self.status,
            "probability": self.probability,
            "retryAfterSeconds": self.retry_after_secs,
            "latencyMs": self.latency_ms.map(|(a, b)| [a, b]),
            "remaining": (remaining != u64::MAX).then_some(remaining),
        })
    }
}

/// Parses the trigger header: a status and `retry-after=N`, or `latency=MS`, `;`-separated.
pub(crate) fn parse_trigger(value: &str) -> Result<Verdict, ControlError> {
    let mut verdict = Verdict::default();
    let mut status = None;
    let mut retry_after = 1;
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((key, v)) => {
                let number = v
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| invalid(format!("{TRIGGER}: '{part}' needs a whole number")))?;
                match key.trim().to_ascii_lowercase().as_str() {
                    "retry-after" => {
                        retry_after = check_retry_after(u32::try_from(number).unwrap_or(u32::MAX))?
                    }
                    "latency" => verdict.latency_ms = check_latency(number)?,
                    _ => return Err(invalid(format!("{TRIGGER}: unknown setting '{key}'"))),
                }
            }
            None => {
                let code = part.parse::<u16>().map_err(|_| {
                    invalid(format!("{TRIGGER}: '{part}' is not a status or setting"))
                })?;
                status = Some(check_status(code)?);
            }
        }
    }
    verdict.fault = status.map(|s| (s, retry_after));
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trigger_header_parses_and_refuses() {
        assert_eq!(
            parse_trigger("503; retry-after=2").unwrap().fault,
            Some((503, 2))
        );
        assert_eq!(parse_trigger("latency=250").unwrap().latency_ms, 250);
        assert_eq!(parse_trigger("429").unwrap().fault, Some((429, 1)));
        assert!(parse_trigger("404").is_err());
        assert!(parse_trigger("latency=60001").is_err());
        assert!(parse_trigger("latency=60000").is_ok());
        assert!(parse_trigger("retry-after=3601").is_err());
        assert!(parse_trigger("colour=red").is_err());
    }

    #[test]
    fn patterns_match_segments() {
        let faults = Faults::default();
        let rule = |path: &str| RuleInput {
            method: Some("get".into()),
            path: path.into(),
            status: Some(429),
            probability: None,
            retry_after_seconds: None,
            latency_ms: None,
            count: Some(1),
        };
        faults
            .add(rule(
                "/{version}/deviceManagement/remoteAssistancePartners/{id}",
            ))
            .unwrap();
        let p = "/v1.0/deviceManagement/remoteAssistancePartners";
        assert_eq!(faults.judge("GET", p).fault, None);
        assert_eq!(faults.judge("POST", &format!("{p}/x")).fault, None);
        assert_eq!(faults.judge("GET", &format!("{p}/x")).fault, Some((429, 1)));
        assert_eq!(
            faults.judge("GET", &format!("{p}/x")).fault,
            None,
            "used up"
        );
        assert!(!faults.active.load(Ordering::Acquire));
    }
}
