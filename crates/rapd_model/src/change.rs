//! What an accepted write did to a partner's row: what the lifecycle returns, and what an audit
//! record is made from (apart from both, so neither depends on the other).

use crate::Partner;

/// The row before and after an accepted mutation; `after` is `None` when it deleted the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub before: Option<Partner>,
    pub after: Option<Partner>,
}
