//! How the rows of a page's query become a [`Page`], once for both engines: each row is read as
//! the item asked for (a row whose stored list item holds is not decoded), the row beyond
//! `limit` only says more follow, and the next page's key comes from the last item's row.

use rapd_model::{Partner, Timestamp, wire::ListItem};
use rapd_odata::OrderBy;

use crate::paging::{Page, PageQuery, SeekKey};

/// A row of a page's query, as an engine reads it.
pub(crate) trait PartnerRow {
    type Error;
    /// The row's partner ([`crate::query_sql::SELECT_PARTNER_COLUMNS`]), decoded whole.
    fn partner(&self) -> Result<Partner, Self::Error>;
    /// Column 12 of a query for list items: the stored item where it holds, else `None`.
    fn stored_item(&self) -> Result<Option<Vec<u8>>, Self::Error>;
}

/// What a page holds, read from one row.
pub(crate) trait PageItem: Sized {
    fn read<R: PartnerRow>(row: &R) -> Result<Self, R::Error>;
}

impl PageItem for Partner {
    fn read<R: PartnerRow>(row: &R) -> Result<Partner, R::Error> {
        row.partner()
    }
}

impl PageItem for ListItem {
    fn read<R: PartnerRow>(row: &R) -> Result<ListItem, R::Error> {
        Ok(match row.stored_item()? {
            Some(json) => ListItem::Stored(json),
            None => ListItem::Partner(row.partner()?),
        })
    }
}

/// A page being read from rows that the query (`query_sql::page`) returns in its order, with
/// one beyond `limit`.
pub(crate) struct PageReader<'q, T> {
    order_by: &'q [OrderBy],
    limit: usize,
    now: Timestamp,
    items: Vec<T>,
    /// The key of the last item, once the page is full.
    last_key: Option<SeekKey>,
    more: bool,
}

impl<'q, T: PageItem> PageReader<'q, T> {
    /// A reader for `query`'s page as read at `now` (the instant its SQL was built for).
    pub fn new(query: &'q PageQuery, now: Timestamp) -> PageReader<'q, T> {
        PageReader {
            order_by: &query.order_by,
            limit: query.limit as usize,
            now,
            // Room for the whole page at once, rather than growing (and copying) it row by row;
            // `limit` may mean "all", so no more than the largest `$top` is reserved.
            items: Vec::with_capacity(query.limit.min(rapd_odata::MAX_TOP) as usize),
            last_key: None,
            more: false,
        }
    }

    /// Reads the next row; `false` once the page is complete (the row was the one beyond it).
    pub fn push<R: PartnerRow>(&mut self, row: &R) -> Result<bool, R::Error> {
        if self.items.len() == self.limit {
            self.more = true;
            return Ok(false);
        }
        self.items.push(T::read(row)?);
        if self.items.len() == self.limit {
            // One row a page: decoded again for its key in case more follow.
            self.last_key = Some(SeekKey::of(&row.partner()?, self.order_by, self.now));
        }
        Ok(true)
    }

    pub fn finish(self) -> Page<T> {
        Page {
            items: self.items,
            next: self.last_key.filter(|_| self.more),
            now: self.now,
        }
    }
}
