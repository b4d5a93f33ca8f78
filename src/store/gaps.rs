//! `order_number_gaps`: numbers between the lowest and highest tracked order that no tracked order
//! has, and the ones Shopify explained (so `missing` does not look them up again).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Store, StoreError, get_ts, ts};

/// Why Shopify has no order with a number (DESIGN.md section 9, `missing` classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapClass {
    /// The order was deleted in Shopify.
    Deleted,
    /// Shopify has no such order: numbers are not guaranteed consecutive.
    Absent,
    /// Created more than 60 days ago and invisible without `read_all_orders`.
    OutsideWindow,
}

impl GapClass {
    /// The text stored in the `class` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deleted => "deleted",
            Self::Absent => "absent",
            Self::OutsideWindow => "outside_window",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Deleted, Self::Absent, Self::OutsideWindow]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

/// An inclusive range of order numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NumberRange {
    /// The first number in the range.
    pub first: i64,
    /// The last number in the range (equal to `first` for a single number).
    pub last: i64,
}

impl NumberRange {
    /// How many numbers the range holds.
    #[must_use]
    pub fn len(&self) -> i64 {
        self.last - self.first + 1
    }

    /// Whether the range is empty (never, for ranges the store returns).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }
}

/// A gap Shopify explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainedGap {
    /// The order number.
    pub number: i64,
    /// Why there is no tracked order with it.
    pub class: GapClass,
    /// When `missing` recorded the explanation.
    pub explained_at: DateTime<Utc>,
}

impl Store {
    /// Every distinct tracked order number, ascending.
    ///
    /// # Errors
    /// When the query fails.
    pub fn tracked_order_numbers(&self) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT number FROM order_tracking ORDER BY number")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .map_err(|e| self.err(e))
    }

    /// Numbers between the lowest and highest tracked order that are neither tracked nor explained,
    /// as ranges (a jump of a million numbers is one range, not a million entries).
    ///
    /// # Errors
    /// When a query fails.
    pub fn unexplained_gaps(&self) -> Result<Vec<NumberRange>> {
        let tracked = self.tracked_order_numbers()?;
        let explained: BTreeSet<i64> = self.explained_gaps()?.iter().map(|g| g.number).collect();
        Ok(gaps_between(&tracked, &explained))
    }

    /// Remembers gaps Shopify explained (re-recording a number updates its class).
    ///
    /// # Errors
    /// When the transaction fails.
    pub fn record_explained_gaps(&mut self, gaps: &[(i64, GapClass)]) -> Result<()> {
        let now = ts(self.now());
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO order_number_gaps (number, class, explained_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (number) DO UPDATE SET class = excluded.class, \
                     explained_at = excluded.explained_at",
                )
                .map_err(sql)?;
            for (number, class) in gaps {
                stmt.execute(params![number, class.as_str(), now])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// Every explained gap, by number.
    ///
    /// # Errors
    /// When the query fails.
    pub fn explained_gaps(&self) -> Result<Vec<ExplainedGap>> {
        let mut stmt = self
            .conn
            .prepare("SELECT number, class, explained_at FROM order_number_gaps ORDER BY number")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            let class: String = r.get(1)?;
            Ok(ExplainedGap {
                number: r.get(0)?,
                class: GapClass::parse(&class).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        format!("unknown gap class {class:?}").into(),
                    )
                })?,
                explained_at: get_ts(r, 2)?,
            })
        })
        .map_err(|e| self.err(e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| self.err(e))
    }
}

/// The ranges strictly between consecutive `tracked` numbers (ascending), minus `explained`.
fn gaps_between(tracked: &[i64], explained: &BTreeSet<i64>) -> Vec<NumberRange> {
    let mut out = Vec::new();
    for pair in tracked.windows(2) {
        let (low, high) = (pair[0], pair[1]);
        if high - low < 2 {
            continue;
        }
        let mut next = low + 1;
        for &known in explained.range(low + 1..high) {
            if known > next {
                out.push(NumberRange {
                    first: next,
                    last: known - 1,
                });
            }
            next = known + 1;
        }
        if next < high {
            out.push(NumberRange {
                first: next,
                last: high - 1,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(first: i64, last: i64) -> NumberRange {
        NumberRange { first, last }
    }

    #[test]
    fn gaps_are_ranges_minus_explained_numbers() {
        let cases: &[(&[i64], &[i64], Vec<NumberRange>)] = &[
            (&[], &[], vec![]),
            (&[1001], &[], vec![]),
            (&[1001, 1002, 1003], &[], vec![]),
            (&[1001, 1005], &[], vec![r(1002, 1004)]),
            (&[1001, 1005], &[1003], vec![r(1002, 1002), r(1004, 1004)]),
            (&[1001, 1005], &[1002, 1003, 1004], vec![]),
            (
                &[1001, 1005, 1007],
                &[1002, 1999],
                vec![r(1003, 1004), r(1006, 1006)],
            ),
            (&[1, 1_000_001], &[], vec![r(2, 1_000_000)]),
        ];
        for (tracked, explained, want) in cases {
            let explained: BTreeSet<i64> = explained.iter().copied().collect();
            assert_eq!(
                &gaps_between(tracked, &explained),
                want,
                "{tracked:?} {explained:?}"
            );
        }
        assert_eq!(r(2, 1_000_000).len(), 999_999);
    }
}
