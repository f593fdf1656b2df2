//! From the raw query string of a request to the typed options of its endpoint.
//!
//! The query is split on `&`, each name and value percent-decoded (`+` is a space, `%2B` a
//! plus: see `percent.rs`), and every system option taken at most once. Names are case-sensitive. Beta
//! lets the `$` be left out (`filter=` is `$filter=`); v1.0 does not, so there `filter=` is an
//! ordinary parameter. Parameters without `$` that name no system option are ignored, as Graph
//! ignores custom query parameters; an unknown `$` option is an error.

use rapd_model::{ApiVersion, Property};

use crate::error::QueryError;
use crate::filter::{Filter, parse_filter};
use crate::options::{self, MAX_SKIP, MAX_TOP, OrderBy};
use crate::percent;

/// The page size when the client sets no `$top`.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// `GET .../remoteAssistancePartners`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    pub order_by: Vec<OrderBy>,
    pub top: Option<u32>,
    pub skip: Option<u32>,
    /// `None` is every property; `Some` lists them in the order asked, each once.
    pub select: Option<Vec<Property>>,
    pub count: bool,
    pub skip_token: Option<String>,
}

/// `GET .../remoteAssistancePartners/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemQuery {
    pub select: Option<Vec<Property>>,
}

/// `GET .../remoteAssistancePartners/$count`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountQuery {
    pub filter: Option<Filter>,
}

/// The system query options rapd knows, supported or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SystemOption {
    Filter,
    Select,
    OrderBy,
    Top,
    Skip,
    Count,
    SkipToken,
    Format,
    Expand,
    Search,
}

impl SystemOption {
    const ALL: [SystemOption; 10] = [
        SystemOption::Filter,
        SystemOption::Select,
        SystemOption::OrderBy,
        SystemOption::Top,
        SystemOption::Skip,
        SystemOption::Count,
        SystemOption::SkipToken,
        SystemOption::Format,
        SystemOption::Expand,
        SystemOption::Search,
    ];

    fn name(self) -> &'static str {
        match self {
            SystemOption::Filter => "$filter",
            SystemOption::Select => "$select",
            SystemOption::OrderBy => "$orderby",
            SystemOption::Top => "$top",
            SystemOption::Skip => "$skip",
            SystemOption::Count => "$count",
            SystemOption::SkipToken => "$skiptoken",
            SystemOption::Format => "$format",
            SystemOption::Expand => "$expand",
            SystemOption::Search => "$search",
        }
    }

    /// The option a decoded parameter name stands for; `Ok(None)` for a custom parameter.
    fn from_name(version: ApiVersion, name: &str) -> Result<Option<SystemOption>, QueryError> {
        let found = SystemOption::ALL
            .into_iter()
            .find(|o| o.name() == name || (version == ApiVersion::Beta && &o.name()[1..] == name));
        match found {
            None if name.starts_with('$') => Err(QueryError::new(
                name,
                format!("'{name}' is not a supported query option"),
            )),
            found => Ok(found),
        }
    }

    /// Why this option is refused where it is not among the endpoint's options.
    fn refusal(self, endpoint: &str) -> QueryError {
        let reason = match self {
            // Graph's OData layer, where a service does not offer `$search`.
            SystemOption::Search => "The query specified in the URI is not valid. Query option \
                'Search' is not allowed."
                .into(),
            other => format!("{} is not supported on {endpoint}", other.name()),
        };
        QueryError::new(self.name(), reason)
    }
}

/// Each system option present, with its decoded value, in the order given.
pub(crate) struct Options(pub(crate) Vec<(SystemOption, String)>);

impl Options {
    pub(crate) fn split(
        version: ApiVersion,
        raw_query: Option<&str>,
        allowed: &[SystemOption],
        endpoint: &str,
    ) -> Result<Options, QueryError> {
        let mut found: Vec<(SystemOption, String)> = Vec::new();
        for pair in raw_query.unwrap_or_default().split('&') {
            if pair.is_empty() {
                continue;
            }
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent::decode(raw_name).ok_or_else(|| {
                QueryError::new(raw_name, "malformed percent-encoding in the parameter name")
            })?;
            let Some(option) = SystemOption::from_name(version, &name)? else {
                continue;
            };
            if !allowed.contains(&option) {
                return Err(option.refusal(endpoint));
            }
            if found.iter().any(|(o, _)| *o == option) {
                return Err(QueryError::new(option.name(), "given more than once"));
            }
            let value = percent::decode(raw_value).ok_or_else(|| {
                QueryError::new(option.name(), "malformed percent-encoding or not UTF-8")
            })?;
            found.push((option, value));
        }
        Ok(Options(found))
    }
}

/// Parses the options of the collection: `$filter`, `$orderby`, `$top`, `$skip`, `$select`,
/// `$count`, `$skiptoken`, `$format=json` and `$expand=*`.
pub fn parse_list_query(
    version: ApiVersion,
    raw_query: Option<&str>,
) -> Result<ListQuery, QueryError> {
    use SystemOption as O;
    let allowed = [
        O::Filter,
        O::OrderBy,
        O::Top,
        O::Skip,
        O::Select,
        O::Count,
        O::SkipToken,
        O::Format,
        O::Expand,
    ];
    let mut query = ListQuery::default();
    let options = Options::split(version, raw_query, &allowed, "remoteAssistancePartners")?;
    for (option, value) in options.0 {
        match option {
            O::Filter => query.filter = Some(parse_filter(version, &value)?),
            O::OrderBy => query.order_by = options::order_by(version, &value)?,
            O::Top => query.top = Some(options::bounded("$top", &value, MAX_TOP)?),
            O::Skip => query.skip = Some(options::bounded("$skip", &value, MAX_SKIP)?),
            O::Select => query.select = options::select(version, &value)?,
            O::Count => query.count = options::count(&value)?,
            O::SkipToken => query.skip_token = Some(options::skip_token(&value)?),
            O::Format => options::format(&value)?,
            O::Expand => options::expand(version, &value)?,
            O::Search => return Err(option.refusal("remoteAssistancePartners")),
        }
    }
    Ok(query)
}

/// Parses the options of one partner: `$select`, `$format=json` and `$expand=*`.
pub fn parse_item_query(
    version: ApiVersion,
    raw_query: Option<&str>,
) -> Result<ItemQuery, QueryError> {
    let endpoint = "a single remoteAssistancePartner";
    let allowed = [
        SystemOption::Select,
        SystemOption::Format,
        SystemOption::Expand,
    ];
    let mut query = ItemQuery::default();
    for (option, value) in Options::split(version, raw_query, &allowed, endpoint)?.0 {
        match option {
            SystemOption::Select => query.select = options::select(version, &value)?,
            SystemOption::Format => options::format(&value)?,
            SystemOption::Expand => options::expand(version, &value)?,
            other => return Err(other.refusal(endpoint)),
        }
    }
    Ok(query)
}

/// Parses the options of `/$count`: `$filter` only.
pub fn parse_count_query(
    version: ApiVersion,
    raw_query: Option<&str>,
) -> Result<CountQuery, QueryError> {
    let endpoint = "/$count";
    let allowed = [SystemOption::Filter];
    let mut query = CountQuery::default();
    for (option, value) in Options::split(version, raw_query, &allowed, endpoint)?.0 {
        match option {
            SystemOption::Filter => query.filter = Some(parse_filter(version, &value)?),
            other => return Err(other.refusal(endpoint)),
        }
    }
    Ok(query)
}
