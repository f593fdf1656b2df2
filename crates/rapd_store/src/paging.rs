//! What a page of partners is asked with, and the key a next page seeks from.
//!
//! Pages seek from the sort key of the last row they returned (never an offset), so a walk over a
//! collection returns each row at most once while rows are inserted and deleted around it.

use rapd_model::{Partner, PartnerId, Property, Timestamp};
use rapd_odata::{AuditCondition, Filter, OrderBy};

use rapd_model::AuditEntry;

/// One sort value, as the engines compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Integer(i64),
    Id(PartnerId),
}

/// Where the previous page ended: the last row's values of each `order_by` key, then its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeekKey {
    pub values: Vec<SortValue>,
    pub id: PartnerId,
}

impl SeekKey {
    /// The key of `partner` under `order_by`, as readers see it at `now` (an expired onboarding
    /// request sorts as `notOnboarded`). A null string sorts as the empty string.
    pub fn of(partner: &Partner, order_by: &[OrderBy], now: Timestamp) -> SeekKey {
        let values = order_by
            .iter()
            .map(|o| sort_value(partner, o.property, now))
            .collect();
        SeekKey {
            values,
            id: partner.id,
        }
    }
}

fn sort_value(p: &Partner, property: Property, now: Timestamp) -> SortValue {
    let status = p.status_at(now);
    match property {
        Property::Id => SortValue::Id(p.id),
        Property::DisplayName => SortValue::Text(p.display_name.clone().unwrap_or_default()),
        Property::OnboardingUrl => SortValue::Text(p.onboarding_url.clone().unwrap_or_default()),
        Property::OnboardingStatus => SortValue::Integer(status.value()),
        Property::LastConnectionDateTime => SortValue::Integer(p.last_connection.as_micros()),
        Property::OnboardingRequestExpiryDateTime => {
            SortValue::Integer(if status == p.onboarding_status {
                p.onboarding_expiry.as_micros()
            } else {
                Timestamp::ZERO.as_micros()
            })
        }
    }
}

/// A request for one page of a tenant's partners.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    pub filter: Option<Filter>,
    /// Sort keys; the id always follows as the final tie-breaker.
    pub order_by: Vec<OrderBy>,
    /// Continue after this key (from `$skiptoken`).
    pub after: Option<SeekKey>,
    /// Rows to pass over first (`$skip`, first page only).
    pub skip: u32,
    /// The most rows to return.
    pub limit: u32,
}

impl PageQuery {
    /// Every row, in id order.
    pub fn all() -> PageQuery {
        PageQuery {
            limit: u32::MAX,
            ..PageQuery::default()
        }
    }
}

/// One page of partners, or of list items ([`crate::PartnerStore::list_items`]).
#[derive(Debug, Clone)]
pub struct Page<T = Partner> {
    pub items: Vec<T>,
    /// Where the next page starts when more rows follow: the key of the last item, taken from
    /// its row (a stored list item does not carry it).
    pub next: Option<SeekKey>,
    /// The time the page was read at: its filter, its order, the key in `next` and which stored
    /// items hold are all as of this instant.
    pub now: Timestamp,
}

impl<T> Page<T> {
    /// The same page with each item changed by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            now: self.now,
        }
    }
}

/// Keeps the first `limit` rows and says whether there were more (engines read `limit + 1`).
fn split_off_extra<T>(mut items: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    (items, more)
}

/// A record's place in its tenant's trail; records are read in this order (`xact`, then `seq`).
/// SQLite numbers a tenant's records 1, 2, … in commit order, with `xact` 0. PostgreSQL orders
/// them by the id of the transaction that wrote them, then by a global sequence (its module
/// comment shows why a reader sees that order only grow at its end); records written before
/// that ordering keep their per-tenant number under `xact` 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct AuditPosition {
    pub xact: i64,
    pub seq: i64,
}

/// A request for one page of a tenant's audit trail, oldest first.
#[derive(Debug, Clone, Default)]
pub struct AuditPageQuery {
    /// All must hold.
    pub conditions: Vec<AuditCondition>,
    /// Continue after the record at this position.
    pub after: Option<AuditPosition>,
    pub limit: u32,
}

/// One page of audit records, each with its position in the tenant's trail.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    pub items: Vec<(AuditPosition, AuditEntry)>,
    pub more: bool,
}

impl AuditPage {
    /// The page from records read with one beyond `limit`: that extra record only says more
    /// follow.
    pub(crate) fn from_rows(items: Vec<(AuditPosition, AuditEntry)>, limit: u32) -> AuditPage {
        let (items, more) = split_off_extra(items, limit);
        AuditPage { items, more }
    }
}
