//! The JSON a Graph client reads: entities and collections written straight into a byte buffer
//! (no intermediate `Value`), in the property order of Microsoft's examples.
//!
//! Hand-written rather than derived with serde: Graph's property order, `$select`'s projection
//! and the time-dependent status are decided while writing, and a list page is written without
//! building a `Value` per partner; `tests/api/snapshots` pin the bytes, and the benchmark's GET
//! item and GET list rows (`docs/performance.md`) measure it. The engines store each partner's
//! list item ([`stored_entity`]) with its row, so a page without `$select` mostly copies bytes
//! ([`ListItem::Stored`]) and decodes only the rows whose item no longer holds.

use crate::{ApiVersion, Partner, Property, Timestamp};

const PARTNER_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistancePartner";

/// Writes one partner as Graph shows it at `now`; `context` becomes `@odata.context` when given.
/// With `select`, only those properties are written (and no `@odata.type`), as `$select` asks.
pub fn write_partner(
    out: &mut Vec<u8>,
    context: Option<&str>,
    p: &Partner,
    version: ApiVersion,
    now: Timestamp,
    select: Option<&[Property]>,
) {
    write_partner_as(out, context, p, version, p.status_at(now), select);
}

/// The partner's item of a list page without `$select`, as the engines store it beside the row
/// (written in the row's transaction): rendered with the status the row records, so it is what
/// [`write_partner`] writes at any `now` where [`stored_entity_holds`].
pub fn stored_entity(p: &Partner, version: ApiVersion) -> Vec<u8> {
    let mut out = Vec::with_capacity(320);
    write_partner_as(&mut out, None, p, version, p.onboarding_status, None);
    out
}

/// Whether [`stored_entity`] shows `p` as Graph does at `now`: only time changes a partner
/// without a write, by expiring an onboarding request, so it holds unless that has happened.
/// The engines decide the same in SQL, so a list does not decode a row whose item holds (but
/// for the last row of a full page, for the next page's key).
pub fn stored_entity_holds(p: &Partner, now: Timestamp) -> bool {
    p.status_at(now) == p.onboarding_status
}

/// One item of a list page as a store reads it: the bytes stored with the row where they hold
/// at the page's time, else the partner itself, to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListItem {
    /// The row's [`stored_entity`], which [`stored_entity_holds`] at the page's time.
    Stored(Vec<u8>),
    /// The partner, read whole: its stored item does not hold (or none was asked for).
    Partner(Partner),
}

/// [`write_partner`] with the status to show.
fn write_partner_as(
    out: &mut Vec<u8>,
    context: Option<&str>,
    p: &Partner,
    version: ApiVersion,
    status: crate::OnboardingStatus,
    select: Option<&[Property]>,
) {
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &str| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    if let Some(context) = context {
        key(out, "@odata.context");
        write_str(out, context);
    }
    if select.is_none() {
        key(out, "@odata.type");
        write_plain(out, PARTNER_ODATA_TYPE);
    }
    for property in select.unwrap_or(Property::all(version)) {
        key(out, property.name());
        match property {
            Property::Id => {
                let mut buf = uuid::Uuid::encode_buffer();
                write_plain(out, p.id.0.hyphenated().encode_lower(&mut buf));
            }
            Property::DisplayName => write_opt_str(out, p.display_name.as_deref()),
            Property::OnboardingUrl => write_opt_str(out, p.onboarding_url.as_deref()),
            Property::OnboardingStatus => write_plain(out, status.as_str()),
            Property::LastConnectionDateTime => write_timestamp(out, p.last_connection),
            Property::OnboardingRequestExpiryDateTime => {
                // An expired request reads as none, like its status.
                let expiry = if status == p.onboarding_status {
                    p.onboarding_expiry
                } else {
                    Timestamp::ZERO
                };
                write_timestamp(out, expiry);
            }
        }
    }
    out.push(b'}');
}

/// The annotations of a collection response besides its items.
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectionMeta<'a> {
    pub context: &'a str,
    pub count: Option<u64>,
    pub next_link: Option<&'a str>,
}

/// Writes a collection response: `{"@odata.context":…,["@odata.count":…,]["@odata.nextLink":…,]"value":[…]}`.
/// A stored item is copied as it is, so with `select` every item is a [`ListItem::Partner`].
pub fn write_collection(
    out: &mut Vec<u8>,
    meta: CollectionMeta<'_>,
    items: &[ListItem],
    version: ApiVersion,
    now: Timestamp,
    select: Option<&[Property]>,
) {
    out.extend_from_slice(b"{\"@odata.context\":");
    write_str(out, meta.context);
    if let Some(count) = meta.count {
        out.extend_from_slice(format!(",\"@odata.count\":{count}").as_bytes());
    }
    if let Some(next) = meta.next_link {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        write_str(out, next);
    }
    out.extend_from_slice(b",\"value\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match item {
            ListItem::Stored(json) => {
                debug_assert!(select.is_none(), "a stored item under $select");
                out.extend_from_slice(json);
            }
            ListItem::Partner(p) => write_partner(out, None, p, version, now, select),
        }
    }
    out.extend_from_slice(b"]}");
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A timestamp's text has only digits and `-:.TZ`: nothing to escape.
fn write_timestamp(out: &mut Vec<u8>, t: Timestamp) {
    out.push(b'"');
    t.write_to(out);
    out.push(b'"');
}

/// Writes a string that needs no escaping (a constant, an enum member, a GUID) between quotes.
fn write_plain(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!s.bytes().any(needs_escape), "{s:?} needs escaping");
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Writes `s` as a JSON string, escaped byte for byte as `serde_json` escapes it: `"` and `\\`,
/// the short forms `\b \t \n \f \r`, other control characters as `\u00xx`, all else verbatim.
/// A list page writes hundreds of strings, nearly all clean: they are checked eight bytes at a
/// time and copied in runs.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut clean, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8)
            && !any_needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes")))
        {
            i += 8;
            continue;
        }
        if needs_escape(bytes[i]) {
            out.extend_from_slice(&bytes[clean..i]);
            push_escape(out, bytes[i]);
            clean = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

/// Whether any byte of `word` is below 0x20, `"` or `\\` (the bit tricks of "Bit Twiddling
/// Hacks": a byte's high bit survives `x - n & !x` only where `x < n`, for `n` up to 0x80).
fn any_needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (below(word, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGH != 0
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends the escape of `b`, a byte that [`needs_escape`].
fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        b'"' | b'\\' => b,
        _ => {
            let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            out.extend_from_slice(b"\\u00");
            return out.extend_from_slice(&hex);
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::*;
    use crate::{OnboardingStatus, PartnerId, TenantId};

    fn partner() -> Partner {
        Partner {
            tenant: TenantId(Uuid::nil()),
            id: PartnerId(Uuid::parse_str("7443c8b9-c8b9-7443-b9c8-4374b9c84374").unwrap()),
            display_name: Some("Display \"Name\" value".into()),
            onboarding_url: None,
            onboarding_status: OnboardingStatus::Onboarding,
            last_connection: Timestamp::ZERO,
            onboarding_expiry: Timestamp::from_unix_secs(100),
            partner_domain: None,
            onboarding_code_hash: None,
            credential_hash: None,
            created: Timestamp::ZERO,
            revision: 1,
        }
    }

    #[test]
    fn v1_entity_shape() {
        let mut out = Vec::new();
        write_partner(
            &mut out,
            Some("ctx"),
            &partner(),
            ApiVersion::V1,
            Timestamp::from_unix_secs(1),
            None,
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({
                "@odata.context": "ctx",
                "@odata.type": "#microsoft.graph.remoteAssistancePartner",
                "id": "7443c8b9-c8b9-7443-b9c8-4374b9c84374",
                "displayName": "Display \"Name\" value",
                "onboardingUrl": null,
                "onboardingStatus": "onboarding",
                "lastConnectionDateTime": "0001-01-01T00:00:00Z"
            })
        );
    }

    #[test]
    fn select_writes_only_the_chosen_properties() {
        let mut out = Vec::new();
        let select = [Property::OnboardingStatus, Property::DisplayName];
        write_partner(
            &mut out,
            None,
            &partner(),
            ApiVersion::V1,
            Timestamp::from_unix_secs(1),
            Some(&select),
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({"onboardingStatus": "onboarding", "displayName": "Display \"Name\" value"})
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let specials = (0u8..0x80)
            .map(char::from)
            .chain(['é', '€', '😀', '\u{ff}']);
        for c in specials {
            // At every position of an eight-byte word, and across the word's edge.
            for before in 0..18 {
                let s = format!("{}{c}{c}{}", "x".repeat(before), "y".repeat(9));
                let mut out = Vec::new();
                write_str(&mut out, &s);
                assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
            }
        }
        let mut out = Vec::new();
        write_str(&mut out, "");
        assert_eq!(out, b"\"\"");
    }

    #[test]
    fn stored_entities_are_the_rendered_ones_until_a_request_expires() {
        let (before, after) = (
            Timestamp::from_unix_secs(99),
            Timestamp::from_unix_secs(100),
        );
        let p = partner();
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            let stored = stored_entity(&p, version);
            let rendered = |now| {
                let mut out = Vec::new();
                write_partner(&mut out, None, &p, version, now, None);
                out
            };
            let page = |item: ListItem| {
                let mut out = Vec::new();
                let meta = CollectionMeta::default();
                write_collection(&mut out, meta, &[item], version, before, None);
                out
            };
            assert!(stored_entity_holds(&p, before));
            assert_eq!(stored, rendered(before), "{version:?}");
            assert_eq!(
                page(ListItem::Stored(stored.clone())),
                page(ListItem::Partner(p.clone())),
                "{version:?}"
            );
            // Once the request expired the stored bytes (still `onboarding`) are stale: a store
            // then reads the partner whole, to be rendered.
            assert!(!stored_entity_holds(&p, after));
            assert_ne!(stored, rendered(after), "{version:?}");
        }
    }

    #[test]
    fn beta_adds_expiry_and_hides_a_passed_one() {
        let mut out = Vec::new();
        let meta = CollectionMeta {
            context: "c",
            count: Some(1),
            next_link: Some("n"),
        };
        let now = Timestamp::from_unix_secs(200);
        write_collection(
            &mut out,
            meta,
            &[ListItem::Partner(partner())],
            ApiVersion::Beta,
            now,
            None,
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["value"][0]["onboardingStatus"], "notOnboarded");
        assert_eq!(
            (v["@odata.count"].as_u64(), v["@odata.nextLink"].as_str()),
            (Some(1), Some("n"))
        );
        assert_eq!(
            v["value"][0]["onboardingRequestExpiryDateTime"],
            "0001-01-01T00:00:00Z"
        );
    }
}
