//! The emulator's in-memory shop: orders indexed by ID and by `updatedAt`, the search syntax
//! shopsync uses, sorting, opaque cursors, and the mutations tests and the demo apply between runs.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use chrono::DateTime;

use crate::sandbox::data::{LineData, OrderData, StoreData};

/// Orders created more than this many days ago are hidden without `read_all_orders`.
/// See: SHOPIFY-API.md section 1 (scopes).
pub const DEFAULT_WINDOW_DAYS: i64 = 60;

/// The shop's orders and the pools they point into.
#[derive(Debug)]
pub struct Store {
    /// Shop, pools and (unused here) the generated order list's leftovers.
    pub data: StoreData,
    orders: BTreeMap<u64, OrderData>,
    by_updated: BTreeSet<(i64, u64)>,
    deleted: Vec<u64>,
}

/// How a query sorts orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// `UPDATED_AT`.
    UpdatedAt,
    /// `CREATED_AT`.
    CreatedAt,
    /// `PROCESSED_AT` (the default; equal to creation here).
    ProcessedAt,
    /// `ID`.
    Id,
    /// `ORDER_NUMBER`.
    Number,
}

impl SortKey {
    /// Parses an `OrderSortKeys` value; keys the emulator does not model sort by ID.
    #[must_use]
    pub fn parse(key: &str) -> Self {
        match key {
            "UPDATED_AT" => Self::UpdatedAt,
            "CREATED_AT" => Self::CreatedAt,
            "PROCESSED_AT" => Self::ProcessedAt,
            "ORDER_NUMBER" => Self::Number,
            _ => Self::Id,
        }
    }

    fn value(self, order: &OrderData) -> i64 {
        match self {
            Self::UpdatedAt => order.updated_at,
            Self::CreatedAt | Self::ProcessedAt => order.created_at,
            Self::Id => 0,
            Self::Number => order.number,
        }
    }
}

/// One search term: `field:value`, `field:>=value`, …
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    field: String,
    op: &'static str,
    value: String,
}

/// A parsed search query (terms joined by AND; implicit AND between terms).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

impl Filter {
    /// Parses Shopify's search syntax as far as shopsync uses it.
    ///
    /// # Errors
    /// When a quote is left open.
    pub fn parse(query: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        let mut rest = query.trim();
        while !rest.is_empty() {
            let (token, tail) = next_token(rest)?;
            rest = tail.trim_start();
            if token == "AND" || token.is_empty() {
                continue;
            }
            let Some((field, value)) = token.split_once(':') else {
                terms.push(Term {
                    field: "default".to_owned(),
                    op: "=",
                    value: token.clone(),
                });
                continue;
            };
            let (op, value) = [">=", "<=", ">", "<"]
                .iter()
                .find_map(|op| value.strip_prefix(op).map(|v| (*op, v)))
                .unwrap_or(("=", value));
            terms.push(Term {
                field: field.to_ascii_lowercase(),
                op,
                value: value.to_owned(),
            });
        }
        Ok(Self { terms })
    }

    /// Bounds on `updated_at` the filter implies (inclusive; `>` behaves like `>=` as on Shopify).
    fn updated_bounds(&self) -> (i64, i64) {
        let mut lo = i64::MIN;
        let mut hi = i64::MAX;
        for term in self.terms.iter().filter(|t| t.field == "updated_at") {
            if let Some(t) = parse_time(&term.value) {
                match term.op {
                    ">=" | ">" => lo = lo.max(t),
                    "<=" | "<" => hi = hi.min(t),
                    _ => {
                        lo = lo.max(t);
                        hi = hi.min(t);
                    }
                }
            }
        }
        (lo, hi)
    }

    fn matches(&self, order: &OrderData, prefix: &str, suffix: &str) -> bool {
        self.terms.iter().all(|term| match term.field.as_str() {
            "updated_at" => time_matches(order.updated_at, term),
            "created_at" | "processed_at" => time_matches(order.created_at, term),
            "name" => name_matches(order.number, prefix, suffix, &term.value),
            "id" => term.value.parse::<u64>().is_ok_and(|v| match term.op {
                ">=" | ">" => order.id >= v,
                "<=" | "<" => order.id <= v,
                _ => order.id == v,
            }),
            "test" => (term.value == "true") == order.test,
            "status" => match term.value.as_str() {
                "cancelled" => order.cancelled_at.is_some(),
                "open" | "not_closed" => order.cancelled_at.is_none(),
                _ => true,
            },
            // Unknown terms are ignored, as Shopify's search does with unknown fields.
            _ => true,
        })
    }
}

/// The next whitespace-separated token, with its quotes removed and its backslash escapes
/// resolved (`\\` is a backslash, `\'` a quote), as Shopify's search syntax has them.
/// See: shopify.dev/docs/api/usage/search-syntax ("Escaping special characters").
fn next_token(text: &str) -> Result<(String, &str), String> {
    let mut token = String::new();
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            token.push(c);
            continue;
        }
        match quote {
            _ if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_whitespace() => return Ok((token, &text[i..])),
            Some(_) | None => token.push(c),
        }
    }
    if quote.is_some() || escaped {
        return Err(format!("unterminated quote in search query: {text}"));
    }
    Ok((token, ""))
}

fn parse_time(value: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.timestamp());
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
}

fn time_matches(at: i64, term: &Term) -> bool {
    let Some(t) = parse_time(&term.value) else {
        return false;
    };
    match term.op {
        ">=" | ">" => at >= t,
        "<=" | "<" => at <= t,
        _ => at == t,
    }
}

/// Search is tokenised: `name:1001` finds `#1001` and `1001-A`; callers compare exactly.
fn name_matches(number: i64, prefix: &str, suffix: &str, value: &str) -> bool {
    let full = format!("{prefix}{number}{suffix}");
    let value = value.trim();
    value == full || value.trim_start_matches('#') == number.to_string()
}

/// A position in a sorted listing, encoded as an opaque cursor.
#[must_use]
pub fn encode_cursor(last_id: u64, last_value: i64) -> String {
    let json = format!("{{\"last_id\":{last_id},\"last_value\":{last_value}}}");
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// Decodes a cursor made by [`encode_cursor`].
///
/// # Errors
/// When the cursor is not one of ours.
pub fn decode_cursor(cursor: &str) -> Result<(u64, i64), String> {
    let bad = || format!("Invalid cursor: {cursor}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .map_err(|_| bad())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let id = value["last_id"].as_u64().ok_or_else(bad)?;
    let v = value["last_value"].as_i64().ok_or_else(bad)?;
    Ok((id, v))
}

/// A page of a listing.
#[derive(Debug)]
pub struct Page<T> {
    /// The items, each with its cursor.
    pub items: Vec<(T, String)>,
    /// Whether more items follow.
    pub has_next: bool,
}

/// Who is asking: what the token may see.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// Orders created before this instant (unix seconds) are invisible.
    pub created_after: i64,
}

impl Store {
    /// Wraps generated data.
    #[must_use]
    pub fn new(mut data: StoreData) -> Self {
        let orders: BTreeMap<u64, OrderData> = std::mem::take(&mut data.orders)
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let by_updated = orders.values().map(|o| (o.updated_at, o.id)).collect();
        Self {
            data,
            orders,
            by_updated,
            deleted: Vec::new(),
        }
    }

    /// Number of orders.
    #[must_use]
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// Whether the shop has no orders.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// One order by ID.
    #[must_use]
    pub fn get(&self, id: u64) -> Option<&OrderData> {
        self.orders.get(&id)
    }

    /// Every order, by ascending ID.
    pub fn orders(&self) -> impl Iterator<Item = &OrderData> {
        self.orders.values()
    }

    /// IDs of orders deleted so far.
    #[must_use]
    pub fn deleted(&self) -> &[u64] {
        &self.deleted
    }

    /// Lists orders matching `filter`, sorted by `key`, after `cursor`, at most `first`.
    ///
    /// # Errors
    /// When the cursor is not one this store made.
    pub fn list(
        &self,
        filter: &Filter,
        key: SortKey,
        reverse: bool,
        after: Option<&str>,
        first: usize,
        vis: Visibility,
    ) -> Result<Page<&OrderData>, String> {
        let after = after.map(decode_cursor).transpose()?;
        let (prefix, suffix) = (&self.data.shop.prefix, &self.data.shop.suffix);
        let visible =
            |o: &&OrderData| o.created_at >= vis.created_after && filter.matches(o, prefix, suffix);
        let mut items = Vec::with_capacity(first.min(256) + 1);
        if key == SortKey::UpdatedAt && !reverse {
            // The index serves the incremental sync's query without a scan.
            let (lo, hi) = filter.updated_bounds();
            let start = match after {
                Some((id, v)) => std::ops::Bound::Excluded((v, id)),
                None => std::ops::Bound::Included((lo, 0)),
            };
            for &(_, id) in self
                .by_updated
                .range((start, std::ops::Bound::Included((hi, u64::MAX))))
            {
                let order = &self.orders[&id];
                if visible(&order) {
                    items.push(order);
                    if items.len() > first {
                        break;
                    }
                }
            }
        } else {
            let mut all: Vec<&OrderData> = self.orders.values().filter(visible).collect();
            all.sort_by_key(|o| (key.value(o), o.id));
            if reverse {
                all.reverse();
            }
            // Resume strictly after the cursor's position, even if its order has since moved.
            let past = |o: &&OrderData| match after {
                None => true,
                Some((id, v)) if reverse => (key.value(o), o.id) < (v, id),
                Some((id, v)) => (key.value(o), o.id) > (v, id),
            };
            items.extend(all.into_iter().filter(past).take(first + 1));
        }
        let has_next = items.len() > first;
        items.truncate(first);
        Ok(Page {
            items: items
                .into_iter()
                .map(|o| (o, encode_cursor(o.id, key.value(o))))
                .collect(),
            has_next,
        })
    }

    /// Counts orders matching `filter`.
    #[must_use]
    pub fn count(&self, filter: &Filter, vis: Visibility) -> usize {
        let (prefix, suffix) = (&self.data.shop.prefix, &self.data.shop.suffix);
        self.orders
            .values()
            .filter(|o| o.created_at >= vis.created_after && filter.matches(o, prefix, suffix))
            .count()
    }

    /// Adds an order (its ID must be new).
    pub fn insert(&mut self, order: OrderData) {
        self.by_updated.insert((order.updated_at, order.id));
        self.orders.insert(order.id, order);
    }

    /// Changes an order with `edit` and stamps its `updatedAt` with `now` (unix seconds).
    /// Returns whether the order exists.
    pub fn update(&mut self, id: u64, now: i64, edit: impl FnOnce(&mut OrderData)) -> bool {
        let Some(order) = self.orders.get_mut(&id) else {
            return false;
        };
        self.by_updated.remove(&(order.updated_at, order.id));
        edit(order);
        order.updated_at = now.max(order.created_at);
        self.by_updated.insert((order.updated_at, order.id));
        true
    }

    /// Deletes an order. Returns whether it existed.
    pub fn delete(&mut self, id: u64) -> bool {
        match self.orders.remove(&id) {
            Some(order) => {
                self.by_updated.remove(&(order.updated_at, order.id));
                self.deleted.push(id);
                true
            }
            None => false,
        }
    }

    /// A fresh line item ID.
    pub fn next_line_id(&mut self) -> u64 {
        let id = self.data.next_line_id;
        self.data.next_line_id += 1;
        id
    }

    /// A new line for `order` copying product and price from its first line.
    pub fn new_line_like(&mut self, template: &LineData) -> LineData {
        LineData {
            id: self.next_line_id(),
            ..template.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_syntax_shopsync_uses_parses() {
        let f = Filter::parse(
            "updated_at:>='2026-11-02T09:50:00Z' AND updated_at:<='2026-11-02T11:00:00Z'",
        )
        .unwrap();
        assert_eq!(f.terms.len(), 2);
        assert_eq!(f.terms[0].op, ">=");
        assert_eq!(f.terms[1].value, "2026-11-02T11:00:00Z");
        let (lo, hi) = f.updated_bounds();
        assert_eq!(hi - lo, 70 * 60);
        let f = Filter::parse("name:'#1001'").unwrap();
        assert_eq!(f.terms[0].value, "#1001");
        assert!(name_matches(1001, "#", "", "#1001"));
        assert!(name_matches(1001, "#", "", "1001"));
        assert!(!name_matches(10011, "#", "", "1001"));
        assert!(Filter::parse("name:'open").is_err());
    }

    #[test]
    fn backslash_escapes_are_resolved_as_shopify_resolves_them() {
        let f = Filter::parse(r"name:'A\\1001\'s' AND tag:x").unwrap();
        assert_eq!(f.terms[0].value, r"A\1001's");
        assert_eq!(f.terms[1].value, "x");
        // An unescaped backslash eats the next character.
        assert_eq!(
            Filter::parse(r"name:'A\1001'").unwrap().terms[0].value,
            "A1001"
        );
        assert!(Filter::parse(r"name:'A\'").is_err());
    }

    #[test]
    fn pages_resume_after_the_cursor_even_when_its_order_moved() {
        use crate::sandbox::data::{StoreSpec, generate};
        let end = chrono::Utc::now();
        let mut store = Store::new(generate(&StoreSpec::new(5, 30, end)));
        let all = Filter::default();
        let vis = Visibility {
            created_after: i64::MIN,
        };
        let cases = [
            (SortKey::UpdatedAt, false),
            (SortKey::UpdatedAt, true),
            (SortKey::Id, false),
        ];
        for (key, reverse) in cases {
            let page = store.list(&all, key, reverse, None, 10, vis).unwrap();
            let (last, cursor) = page.items.last().map(|(o, c)| (o.id, c.clone())).unwrap();
            let first_ids: Vec<u64> = page.items.iter().map(|(o, _)| o.id).collect();
            let _ = store.update(last, end.timestamp() + 10, |_| {});
            let next = store
                .list(&all, key, reverse, Some(&cursor), 10, vis)
                .unwrap();
            assert!(
                next.items
                    .iter()
                    .all(|(o, _)| !first_ids.contains(&o.id) || o.id == last),
                "{key:?} restarted from the top"
            );
            assert_eq!(next.items.len(), 10);
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode_cursor(42, 1_700_000_000);
        assert_eq!(decode_cursor(&c).unwrap(), (42, 1_700_000_000));
        assert!(decode_cursor("not a cursor").is_err());
    }
}
