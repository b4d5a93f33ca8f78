//! `sync_state`: the cursor (which never moves back), the binding to one shop and sheet, and what
//! the shop told us about itself (time zone, currency, order-name prefix and suffix).

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Store, StoreError, get_opt_ts, ts};
use crate::order::Shop;

/// The shop and sheet a database belongs to (DESIGN.md section 9, Binding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The shop's `myshopify.com` domain.
    pub shop_domain: String,
    /// The spreadsheet's ID.
    pub spreadsheet_id: String,
    /// The tab's numeric `sheetId`.
    pub sheet_id: i64,
    /// The tab's title when it was bound.
    pub sheet_title: String,
}

/// What [`Store::bind`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindOutcome {
    /// The database had no binding; it now has this one.
    NewlyBound,
    /// The database was already bound to exactly this.
    AlreadyBound,
}

/// What the shop told us about itself, kept for commands that run without the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopInfo {
    /// The shop's display name.
    pub name: Option<String>,
    /// IANA time zone name.
    pub iana_timezone: Option<String>,
    /// The shop's currency.
    pub currency: Option<String>,
    /// Order-name prefix (`#`).
    pub order_number_prefix: Option<String>,
    /// Order-name suffix.
    pub order_number_suffix: Option<String>,
}

impl Store {
    /// The cursor: orders updated before it (minus the overlap) are known to be written.
    ///
    /// # Errors
    /// When the query fails.
    pub fn cursor(&self) -> Result<Option<DateTime<Utc>>> {
        self.conn
            .query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| {
                get_opt_ts(r, 0)
            })
            .map_err(|e| self.err(e))
    }

    /// Moves the cursor forward to `new`; a value before the current cursor leaves it where it is.
    ///
    /// Returns the cursor as it now stands. The cursor never moves back (DESIGN.md section 9).
    ///
    /// # Errors
    /// When the state cannot be read or written.
    pub fn advance_cursor(&mut self, new: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        let current: Option<DateTime<Utc>> = tx
            .query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| {
                get_opt_ts(r, 0)
            })
            .map_err(sql)?;
        if let Some(current) = current
            && current >= new
        {
            if current > new {
                tracing::debug!(%current, refused = %new, "the cursor never moves back");
            }
            return Ok(current);
        }
        tx.execute("UPDATE sync_state SET cursor = ?1 WHERE id = 1", [ts(new)])
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(new)
    }

    /// The binding recorded on the first sync, if any.
    ///
    /// # Errors
    /// When the query fails.
    pub fn binding(&self) -> Result<Option<Binding>> {
        let row: (Option<String>, Option<String>, Option<i64>, Option<String>) = self
            .conn
            .query_row(
                "SELECT shop_domain, spreadsheet_id, sheet_id, sheet_title FROM sync_state \
                 WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok(match row {
            (Some(shop_domain), Some(spreadsheet_id), Some(sheet_id), Some(sheet_title)) => {
                Some(Binding {
                    shop_domain,
                    spreadsheet_id,
                    sheet_id,
                    sheet_title,
                })
            }
            _ => None,
        })
    }

    /// Binds the database to `binding` on first use, or checks that it is already bound to it.
    ///
    /// Shop domains compare case-insensitively; the spreadsheet ID, sheet id and tab title exactly
    /// (a renamed tab is a mismatch, DESIGN.md section 9).
    ///
    /// # Errors
    /// [`StoreError::BindingMismatch`] naming the first part that differs; SQLite variants otherwise.
    pub fn bind(&mut self, binding: &Binding) -> Result<BindOutcome> {
        if let Some(stored) = self.binding()? {
            let checks: [(&'static str, String, String, bool); 4] = [
                (
                    "shop",
                    stored.shop_domain.clone(),
                    binding.shop_domain.clone(),
                    stored
                        .shop_domain
                        .eq_ignore_ascii_case(&binding.shop_domain),
                ),
                (
                    "spreadsheet",
                    stored.spreadsheet_id.clone(),
                    binding.spreadsheet_id.clone(),
                    stored.spreadsheet_id == binding.spreadsheet_id,
                ),
                (
                    "sheet id",
                    stored.sheet_id.to_string(),
                    binding.sheet_id.to_string(),
                    stored.sheet_id == binding.sheet_id,
                ),
                (
                    "tab",
                    stored.sheet_title.clone(),
                    binding.sheet_title.clone(),
                    stored.sheet_title == binding.sheet_title,
                ),
            ];
            if let Some((field, stored, given, _)) = checks.into_iter().find(|c| !c.3) {
                return Err(StoreError::BindingMismatch {
                    path: self.path.clone(),
                    field,
                    stored,
                    given,
                });
            }
            return Ok(BindOutcome::AlreadyBound);
        }
        self.conn
            .execute(
                "UPDATE sync_state SET shop_domain = ?1, spreadsheet_id = ?2, sheet_id = ?3, \
                 sheet_title = ?4, bound_at = ?5 WHERE id = 1",
                params![
                    binding.shop_domain,
                    binding.spreadsheet_id,
                    binding.sheet_id,
                    binding.sheet_title,
                    ts(self.now())
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(BindOutcome::NewlyBound)
    }

    /// Records what the shop says about itself (fetched with every sync's orders).
    ///
    /// # Errors
    /// When the state cannot be written.
    pub fn record_shop(&mut self, shop: &Shop) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sync_state SET shop_name = ?1, shop_timezone = ?2, shop_currency = ?3, \
                 order_number_prefix = ?4, order_number_suffix = ?5 WHERE id = 1",
                params![
                    shop.name,
                    shop.iana_timezone,
                    shop.currency_code,
                    shop.order_number_prefix,
                    shop.order_number_suffix
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// What the shop told the last sync about itself (all `None` before the first sync).
    ///
    /// # Errors
    /// When the query fails.
    pub fn shop_info(&self) -> Result<ShopInfo> {
        self.conn
            .query_row(
                "SELECT shop_name, shop_timezone, shop_currency, order_number_prefix, \
                 order_number_suffix FROM sync_state WHERE id = 1",
                [],
                |r| {
                    Ok(ShopInfo {
                        name: r.get(0)?,
                        iana_timezone: r.get(1)?,
                        currency: r.get(2)?,
                        order_number_prefix: r.get(3)?,
                        order_number_suffix: r.get(4)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// The shop's time zone; `None` before the first sync (callers then use UTC and say so) or
    /// when the stored name is not in the tz database.
    ///
    /// # Errors
    /// When the query fails.
    pub fn shop_timezone(&self) -> Result<Option<chrono_tz::Tz>> {
        let Some(name) = self.shop_info()?.iana_timezone else {
            return Ok(None);
        };
        match name.parse::<chrono_tz::Tz>() {
            Ok(tz) => Ok(Some(tz)),
            Err(_) => {
                tracing::warn!(timezone = %name, "the shop's time zone is not in the tz database");
                Ok(None)
            }
        }
    }
}
