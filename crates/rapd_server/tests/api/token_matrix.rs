//! reliability.md §1.3, cases J1–J49, over HTTP: a real rapd (`TestApp`: the real router on
//! loopback) that trusts the development issuer and two Entra-like external issuers (the v1 and
//! v2 templates), each serving an RS256 and an ES256 key from its own `JwksServer`. Every test is
//! named after its case; every 401 and 403 is also checked against J49 (a `Bearer` challenge, a
//! Graph error body, the token never echoed). `docs/security.md` maps each case to its test.
//!
//! Decisions newer than reliability.md, which these tests follow: a personal-account token is 403
//! (J36); an application token is 403 under the founding page's permission table and 2xx under
//! Graph's (J45); the development issuer accepts Graph's app id as audience, an external issuer
//! only what it is configured with (J32).

mod algorithms;
mod batch;
mod binding;
mod expect;
mod fixture;
mod issuer;
mod jose;
mod keys;
mod kinds;
mod leaks;
mod lifetime;
mod logs;
mod ops;
mod permissions;
mod structure;
mod tenancy;
mod transport;
