//! The OData query language of rapd: the query options of a `remoteAssistancePartners` request,
//! parsed and validated into typed values. No HTTP, no SQL, no I/O; the server hands in the raw
//! query string and the API version, the store consumes the result.
//!
//! Invariants of every value this crate returns:
//! - every [`Property`] exists in the request's [`ApiVersion`] (`onboardingRequestExpiryDateTime`
//!   is beta only);
//! - every [`Filter`] is well typed: each literal has its property's kind, `null` appears only
//!   under `eq`/`ne` (or in an `in` list) on a nullable property, text functions apply only to
//!   string properties and `id`, and the tree is at most [`MAX_FILTER_DEPTH`] high;
//! - `top <= MAX_TOP`, `skip <= MAX_SKIP`, `order_by` has at most [`MAX_ORDERBY_KEYS`] distinct
//!   properties, `select` has no duplicates, `skip_token` is 1 to [`MAX_SKIPTOKEN_LENGTH`]
//!   characters;
//! - `Filter`'s `Display` prints OData that parses back to the same tree.
//!
//! Parsing never panics and never recurses deeper than the depth limit, whatever the input.
//! Every refusal is a [`QueryError`] naming the option and, where one token is to blame, its
//! character position in the option's decoded value.
//!
//! ## Map
//!
//! `$filter` (lexer, parser, printer), `$orderby`, `$top`, `$skip`, `$select`,
//! `$count`, `$skiptoken` parsed and checked against the property catalogue, with limits on length
//! and depth. Key types: `ListQuery`, `ItemQuery`, `CountQuery`, `Filter`, `Literal`, `OrderBy`,
//! `QueryError`, `parse_list_query`.

mod audit;
mod error;
mod filter;
mod names;
mod options;
mod percent;
mod query;

pub use audit::{
    AuditCondition, AuditQuery, MAX_AUDIT_CONDITIONS, MAX_AUDIT_FILTER_LENGTH, parse_audit_query,
};
pub use error::QueryError;
pub use filter::{
    CompareOp, Filter, Literal, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_IN_VALUES, TextFunction,
    parse_filter,
};
pub use options::{MAX_ORDERBY_KEYS, MAX_SKIP, MAX_SKIPTOKEN_LENGTH, MAX_TOP, OrderBy};
pub use query::{
    CountQuery, DEFAULT_PAGE_SIZE, ItemQuery, ListQuery, parse_count_query, parse_item_query,
    parse_list_query,
};
pub use rapd_model::{ApiVersion, Property};
