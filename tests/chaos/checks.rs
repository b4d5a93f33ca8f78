//! The invariants a schedule checks after every step, read from the emulators' state and the
//! tracking DB (never through shopsync's clients), against what the schedule itself recorded:
//! the cells a person wrote, the rows a person deleted, every key Shopify ever held.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;
use shopsync::sandbox::data::{OrderData, minor_digits};
use shopsync::sync::plan::columns::Column;

use crate::world::{TAB, World};

/// A sheet key: (`Order ID`, `Line Item ID`).
pub type Key = (String, String);

/// Whether `header` is one of shopsync's (the product's column list); every other header is a
/// person's column.
pub fn is_owned(header: &str) -> bool {
    Column::ALL.iter().any(|c| c.name() == header)
}

/// What the schedule knows the sheet and the DB must show, whatever shopsync did.
#[derive(Debug, Default)]
pub struct Expect {
    /// Cells a person typed into their own columns of shopsync's rows: (key, header) -> text
    /// (`""` for a cell they cleared).
    pub cells: BTreeMap<(Key, String), String>,
    /// Rows a person typed, by the marker text in their first cell: header -> text.
    pub typed: BTreeMap<String, BTreeMap<String, String>>,
    /// Keys whose row a person deleted and no run has written back yet.
    pub gone: BTreeSet<Key>,
    /// Every key Shopify held at some point (a deleted order keeps its rows).
    pub ever: BTreeSet<Key>,
}

/// The text of a cell as the emulator renders it unformatted (`""` for nothing).
pub fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The tab's rows, or `None` while there is no tab.
pub fn rows(world: &World) -> Option<Vec<Vec<Value>>> {
    world
        .google
        .tab_titles(&world.spreadsheet)
        .iter()
        .any(|t| t == TAB)
        .then(|| world.rows())
}

/// The header row's texts.
pub fn header(rows: &[Vec<Value>]) -> Vec<String> {
    rows.first()
        .map(|r| r.iter().map(|v| text(Some(v))).collect())
        .unwrap_or_default()
}

fn col(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h.trim() == name)
}

/// The keyed data rows: key -> (1-based row, cells). Panics on a key held by two rows.
pub fn keyed(rows: &[Vec<Value>]) -> BTreeMap<Key, (u32, Vec<Value>)> {
    let header = header(rows);
    let (Some(o), Some(l)) = (col(&header, "Order ID"), col(&header, "Line Item ID")) else {
        assert!(
            rows.len() <= 1,
            "the tab holds data without the key headers: {header:?}"
        );
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let key = (
            text(row.get(o)).trim().to_owned(),
            text(row.get(l)).trim().to_owned(),
        );
        if key.0.is_empty() && key.1.is_empty() {
            continue;
        }
        let number = u32::try_from(i + 1).expect("row");
        if let Some((other, _)) = out.insert(key.clone(), (number, row.clone())) {
            panic!("promise 1: key {key:?} is on rows {other} and {number}");
        }
    }
    out
}

impl Expect {
    /// Adds every key Shopify holds now to [`Self::ever`].
    pub fn learn_keys(&mut self, world: &World) {
        self.ever.extend(world.shopify_keys());
    }

    /// The checks that hold after any step.
    pub fn always(&self, world: &World) {
        if let Some(rows) = rows(world) {
            let formulas = world.google.formulas(&world.spreadsheet, TAB);
            assert!(
                formulas.is_empty(),
                "promise 5: a formula in the sheet: {formulas:?}"
            );
            self.sheet(&rows);
        }
        self.db(world);
    }

    fn sheet(&self, rows: &[Vec<Value>]) {
        let header = header(rows);
        let mut seen = HashSet::new();
        for name in header.iter().filter(|h| !h.is_empty()) {
            assert!(seen.insert(name), "header {name:?} twice: {header:?}");
        }
        let keyed = keyed(rows);
        for key in keyed.keys() {
            assert!(
                self.ever.contains(key),
                "a row for {key:?}, which Shopify never held"
            );
        }
        let own: Vec<(usize, &String)> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty() && !is_owned(h.trim()))
            .collect();
        // A person's cells in shopsync's rows.
        for (key, (row, cells)) in &keyed {
            for (c, name) in &own {
                let expected = self
                    .cells
                    .get(&(key.clone(), (*name).clone()))
                    .map_or("", String::as_str);
                assert_eq!(
                    text(cells.get(*c)),
                    expected,
                    "promise 3: the person's {name:?} cell of {key:?} (row {row})"
                );
            }
        }
        for (key, _) in self.cells.keys() {
            assert!(
                keyed.contains_key(key) || self.gone.contains(key),
                "promise 3: the row of {key:?}, which holds a person's cell, is gone"
            );
        }
        // Rows a person typed, wherever sorting moved them, and blank rows.
        let mut found = BTreeSet::new();
        for (i, row) in rows.iter().enumerate().skip(1) {
            let filled: BTreeMap<&str, String> = row
                .iter()
                .enumerate()
                .map(|(c, v)| (header.get(c).map_or("", String::as_str), text(Some(v))))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if filled.is_empty() || filled.contains_key("Order ID") {
                continue;
            }
            let marker = self
                .typed
                .iter()
                .find(|(m, _)| filled.values().any(|v| v == *m))
                .map_or_else(
                    || {
                        panic!(
                            "row {} has cells but no key, and no person typed it: {filled:?}",
                            i + 1
                        )
                    },
                    |(m, _)| m.clone(),
                );
            let expected: BTreeMap<&str, String> = self.typed[&marker]
                .iter()
                .map(|(h, v)| (h.as_str(), v.clone()))
                .collect();
            assert_eq!(
                filled, expected,
                "promise 3: the typed row {marker:?} changed"
            );
            assert!(found.insert(marker.clone()), "typed row {marker:?} twice");
        }
        assert_eq!(
            found.len(),
            self.typed.len(),
            "promise 3: a typed row is gone: {:?}",
            self.typed
                .keys()
                .filter(|m| !found.contains(*m))
                .collect::<Vec<_>>()
        );
    }

    /// The DB: `integrity_check`, and every tracked line item has its row (unless a person
    /// deleted it since).
    fn db(&self, world: &World) {
        if !world.db().exists() {
            return;
        }
        let db = open(world);
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(check, "ok", "the DB failed integrity_check");
        let Some(rows) = rows(world) else {
            assert!(
                tracked(&db).is_empty(),
                "line items are tracked, but there is no tab"
            );
            return;
        };
        let keyed = keyed(&rows);
        for (key, _) in tracked(&db) {
            assert!(
                keyed.contains_key(&key) || self.gone.contains(&key),
                "promise 4: {key:?} is tracked as written, but has no row"
            );
        }
    }

    /// After a `sync` that exited 0: exactly one row per line item Shopify shows (but rows a
    /// person deleted of orders that did not change since), its owned cells equal to Shopify's
    /// data, and tracking that matches Shopify.
    pub fn after_sync(&mut self, world: &World) {
        let rows = rows(world).expect("a tab after a successful sync");
        let keyed = keyed(&rows);
        self.gone.retain(|key| !keyed.contains_key(key));
        let (orders, currency): (Vec<OrderData>, String) = world.shopify.with_store(|store, _| {
            (
                store.orders().cloned().collect(),
                store.data.shop.currency.clone(),
            )
        });
        let header = header(&rows);
        let db = open(world);
        let tracked = tracked(&db);
        let tracked_orders = tracked_orders(&db);
        for order in &orders {
            let updated = tracked_orders
                .get(&order.id.to_string())
                .unwrap_or_else(|| panic!("promise 4: order {} is not tracked", order.id));
            assert_eq!(
                *updated, order.updated_at,
                "promise 2: tracked updatedAt of order {}",
                order.id
            );
            for line in &order.lines {
                let key = (order.id.to_string(), line.id.to_string());
                assert_eq!(
                    tracked.get(&key),
                    Some(&i64::from(line.current_quantity)),
                    "tracking of {key:?} after a successful sync"
                );
                let Some((row, cells)) = keyed.get(&key) else {
                    assert!(
                        self.gone.contains(&key),
                        "promise 1: no row for {key:?} after a successful sync"
                    );
                    continue;
                };
                owned_cells(order, &currency, line.current_quantity, &header, cells)
                    .unwrap_or_else(|e| panic!("promise 2: row {row} of {key:?}: {e}"));
            }
        }
    }

    /// After a `missing` that exited 0: every tracked line item has its row again, those a
    /// person deleted included (orders that changed since are the next sync's business).
    pub fn after_missing(&mut self, world: &World) {
        let rows = rows(world).expect("a tab after a successful missing");
        let keyed = keyed(&rows);
        self.gone.retain(|key| !keyed.contains_key(key));
        for (key, _) in tracked(&open(world)) {
            assert!(
                keyed.contains_key(&key),
                "promise 1: `missing` did not write back the row of {key:?}"
            );
        }
    }
}

/// Compares the owned cells that follow plainly from the order with Shopify's data.
fn owned_cells(
    order: &OrderData,
    currency: &str,
    quantity: u32,
    header: &[String],
    cells: &[Value],
) -> Result<(), String> {
    let cell = |name: &str| {
        let c = col(header, name).ok_or_else(|| format!("no {name} header"))?;
        Ok::<_, String>(cells.get(c).cloned().unwrap_or(Value::Null))
    };
    let same = |name: &str, want: &str| -> Result<(), String> {
        let got = text(Some(&cell(name)?));
        (got == want)
            .then_some(())
            .ok_or_else(|| format!("{name} is {got:?}, Shopify says {want:?}"))
    };
    let time = |name: &str, want: Option<i64>| -> Result<(), String> {
        let got = text(Some(&cell(name)?));
        let parsed = (!got.is_empty())
            .then(|| chrono::DateTime::parse_from_rfc3339(&got).map(|t| t.timestamp()))
            .transpose()
            .map_err(|e| format!("{name} {got:?}: {e}"))?;
        (parsed == want)
            .then_some(())
            .ok_or_else(|| format!("{name} is {got:?}, Shopify says {want:?}"))
    };
    same("Order", &format!("#{}", order.number))?;
    same("Financial Status", order.financial_status.unwrap_or(""))?;
    note(
        &text(Some(&cell("Note")?)),
        order.note.as_deref().unwrap_or(""),
    )?;
    time("Updated At", Some(order.updated_at))?;
    time("Cancelled At", order.cancelled_at)?;
    let qty = cell("Quantity")?;
    if qty.as_f64() != Some(f64::from(quantity)) {
        return Err(format!("Quantity is {qty}, Shopify says {quantity}"));
    }
    let total = cell("Order Total")?;
    let scale = 10f64.powi(i32::try_from(minor_digits(currency)).expect("digits"));
    #[allow(clippy::cast_precision_loss)]
    let want = order.current_total_minor() as f64;
    if total.as_f64().map(|t| (t * scale).round()) != Some(want) {
        return Err(format!(
            "Order Total is {total}, Shopify says {want} minor units"
        ));
    }
    Ok(())
}

/// The Note cell against Shopify's note: the same text, or, for a note past the cell limit, as
/// much of its start as fits before the truncation marker.
fn note(got: &str, want: &str) -> Result<(), String> {
    let limit = shopsync::sheets::MAX_CELL_CHARS;
    let fits = want.encode_utf16().count() <= limit;
    let kept = got.strip_suffix(shopsync::sheets::TRUNCATION_MARKER);
    let ok = if fits {
        got == want
    } else {
        kept.is_some_and(|kept| want.starts_with(kept) && !kept.is_empty())
            && got.encode_utf16().count() <= limit
    };
    ok.then_some(()).ok_or_else(|| {
        let shorten = |t: &str| t.chars().take(60).collect::<String>();
        format!(
            "Note is {:?}… ({} UTF-16 units), Shopify says {:?}… ({} units; the cell limit is {limit})",
            shorten(got),
            got.encode_utf16().count(),
            shorten(want),
            want.encode_utf16().count()
        )
    })
}

fn open(world: &World) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(world.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the DB read-only")
}

/// Tracked line items of active orders: key -> current quantity.
fn tracked(db: &rusqlite::Connection) -> BTreeMap<Key, i64> {
    let mut stmt = db
        .prepare(
            "SELECT o.legacy_id, l.line_item_id, l.current_quantity FROM line_item_tracking l \
             JOIN order_tracking o USING (order_gid) WHERE o.status = 'active'",
        )
        .expect("tracked lines");
    stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .expect("tracked lines")
        .collect::<Result<_, _>>()
        .expect("tracked lines")
}

/// Tracked orders: legacy ID -> `updatedAt` (unix seconds).
fn tracked_orders(db: &rusqlite::Connection) -> BTreeMap<String, i64> {
    let mut stmt = db
        .prepare("SELECT legacy_id, updated_at FROM order_tracking")
        .expect("tracked orders");
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("tracked orders")
        .map(|r| {
            let (id, at) = r.expect("tracked order");
            let at = chrono::DateTime::parse_from_rfc3339(&at)
                .unwrap_or_else(|e| panic!("tracked updated_at {at:?}: {e}"))
                .timestamp();
            (id, at)
        })
        .collect()
}
