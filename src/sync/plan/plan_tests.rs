//! Unit tests of [`super::plan`]: fresh sheets, no-op runs, changes, edits, people's sorting and
//! rows, duplicates and `--force`.

use std::collections::HashMap;

use serde_json::json;

use super::*;
use crate::sync::fixtures::{
    Sheet, at, default_header, hashes, header_of, item, key, money, order, rows_of,
};
use crate::sync::plan::header::HeaderLayout;

#[test]
fn a_fresh_sheet_gets_headers_and_every_row_appended_in_creation_order() {
    let mut late = order(2, 1002);
    late.created_at = at("2026-04-12T00:00:00Z");
    let early = order(1, 1001);
    let fetched = rows_of(&[late, early]);
    let index = SheetIndex::empty(HeaderLayout::fresh(), 1);
    let plan = plan(fetched, &index, Compare::Hashes(&HashMap::new()));
    assert_eq!(plan.header_additions.len(), 23);
    let placed: Vec<(RowKey, u32)> = plan
        .appends
        .iter()
        .map(|a| (a.key.clone(), a.row))
        .collect();
    assert_eq!(
        placed,
        vec![
            (key(1, 11), 2),
            (key(1, 12), 3),
            (key(2, 21), 4),
            (key(2, 22), 5)
        ]
    );
    assert!(plan.updates.is_empty());
    assert!(!plan.is_empty());
    assert_eq!(plan.unchanged, 0);
    // Orders keep the order they were given; appends point at them.
    assert_eq!(plan.orders[0].order_id, "2");
    assert_eq!(plan.appends[0].order, 1);
    assert!(plan.orders.iter().all(|o| o.outcome() == OrderOutcome::New));
    assert_eq!(plan.grid_needed(), (5, 23));
    // Every append writes all 23 owned cells in one run from column A.
    for append in &plan.appends {
        assert_eq!(append.runs.len(), 1);
        assert_eq!(append.runs[0].column, 0);
        assert_eq!(append.runs[0].cells.len(), 23);
    }
}

#[test]
fn orders_created_at_the_same_instant_are_appended_by_number() {
    let fetched = rows_of(&[order(9, 1009), order(8, 1008)]);
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(fetched, &index, Compare::Hashes(&HashMap::new()));
    assert_eq!(plan.appends[0].key, key(8, 81));
    assert_eq!(plan.appends[3].key, key(9, 92));
}

#[test]
fn a_run_with_nothing_new_writes_nothing() {
    let fetched = rows_of(&[order(1, 1001), order(2, 1002)]);
    let mut sheet = Sheet::new(default_header());
    for (i, row) in fetched.iter().flat_map(|o| &o.rows).enumerate() {
        sheet.put(2 + u32::try_from(i).unwrap(), row);
    }
    let tracked = hashes(&fetched);
    let plan = plan(fetched, &sheet.index(), Compare::Hashes(&tracked));
    assert!(plan.is_empty(), "{plan:?}");
    assert_eq!(plan.unchanged, 4);
    assert!(
        plan.orders
            .iter()
            .all(|o| o.outcome() == OrderOutcome::Unchanged)
    );
}

#[test]
fn one_changed_order_is_rewritten_where_its_rows_are() {
    let before = rows_of(&[order(1, 1001), order(2, 1002)]);
    let tracked = hashes(&before);
    let mut sheet = Sheet::new(default_header());
    for (i, row) in before.iter().flat_map(|o| &o.rows).enumerate() {
        sheet.put(2 + u32::try_from(i).unwrap(), row);
    }
    let mut fulfilled = order(2, 1002);
    fulfilled.fulfillment_status = "FULFILLED".to_owned();
    let plan = plan(
        rows_of(&[order(1, 1001), fulfilled]),
        &sheet.index(),
        Compare::Hashes(&tracked),
    );
    assert!(plan.appends.is_empty());
    let updated: Vec<(RowKey, u32)> = plan
        .updates
        .iter()
        .map(|u| (u.key.clone(), u.row))
        .collect();
    assert_eq!(updated, vec![(key(2, 21), 4), (key(2, 22), 5)]);
    assert_eq!(plan.unchanged, 2);
    let cells = &plan.updates[0].runs[0].cells;
    assert_eq!(cells.len(), 23);
    assert_eq!(
        cells[6],
        (Column::FulfillmentStatus, Cell::text("FULFILLED"))
    );
    assert_eq!(plan.orders[1].outcome(), OrderOutcome::Updated);
    assert_eq!(plan.orders[0].outcome(), OrderOutcome::Unchanged);
    assert!(!plan.is_empty());
    let listed: Vec<&(Column, Cell)> = plan.updates[0].cells().collect();
    assert_eq!(listed, cells.iter().collect::<Vec<_>>());
}

#[test]
fn a_line_item_added_by_an_edit_is_appended_and_the_others_updated() {
    let before = rows_of(&[order(1, 1001)]);
    let tracked = hashes(&before);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &before[0].rows[0]);
    sheet.put(3, &before[0].rows[1]);
    sheet.type_row(4, "a person's total row");
    let mut edited = order(1, 1001);
    edited.line_items.push(item(13, "Hat", "10.00"));
    edited.line_items[1].current_quantity = 0; // removed by the same edit: keeps its row
    edited.current_total = money("29.99", "USD");
    let plan = plan(
        rows_of(&[edited]),
        &sheet.index(),
        Compare::Hashes(&tracked),
    );
    assert_eq!(plan.appends.len(), 1);
    assert_eq!(plan.appends[0].key, key(1, 13));
    assert_eq!(
        plan.appends[0].row, 5,
        "below the person's row, never over it"
    );
    let rows: Vec<u32> = plan.updates.iter().map(|u| u.row).collect();
    assert_eq!(rows, vec![2, 3]);
    let quantity = &plan.updates[1].runs[0].cells[Column::Quantity.position()];
    assert_eq!(quantity, &(Column::Quantity, Cell::Integer(0)));
    assert_eq!(plan.orders[0].outcome(), OrderOutcome::Updated);
    assert_eq!(plan.orders[0].writes(), 3);
}

#[test]
fn updates_follow_keys_after_a_person_sorts_and_types_rows() {
    let before = rows_of(&[order(1, 1001), order(2, 1002)]);
    let tracked = hashes(&before);
    // Person's layout: their column first and one between the keys and the rest.
    let mut names: Vec<&str> = vec!["Packed?", "Order ID", "Line Item ID", "Checked by"];
    names.extend(Column::ALL.iter().filter(|c| !c.is_key()).map(|c| c.name()));
    let mut sheet = Sheet::new(header_of(&names));
    // Sorted descending by a person, with a blank row and a typed row in between.
    sheet.put(2, &before[1].rows[1]);
    sheet.put(3, &before[1].rows[0]);
    sheet.type_row(5, "note to self");
    sheet.put(6, &before[0].rows[1]);
    sheet.put(7, &before[0].rows[0]);
    let mut changed = order(1, 1001);
    changed.financial_status = Some("REFUNDED".to_owned());
    let index = sheet.index();
    assert_eq!(index.blank_key_rows(), 2);
    let plan = plan(
        rows_of(&[changed, order(2, 1002)]),
        &index,
        Compare::Hashes(&tracked),
    );
    let updated: Vec<(RowKey, u32)> = plan
        .updates
        .iter()
        .map(|u| (u.key.clone(), u.row))
        .collect();
    assert_eq!(updated, vec![(key(1, 12), 6), (key(1, 11), 7)]);
    // Two runs: the keys at B:C, then the rest from E, skipping the person's column D.
    let runs: Vec<(usize, usize)> = plan.updates[0]
        .runs
        .iter()
        .map(|r| (r.column, r.cells.len()))
        .collect();
    assert_eq!(runs, vec![(1, 2), (4, 21)]);
    assert!(plan.appends.is_empty());
}

#[test]
fn a_lost_tracking_db_rewrites_in_place_and_never_appends_twice() {
    let fetched = rows_of(&[order(1, 1001)]);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &fetched[0].rows[0]);
    sheet.put(3, &fetched[0].rows[1]);
    let plan = plan(fetched, &sheet.index(), Compare::Hashes(&HashMap::new()));
    assert!(plan.appends.is_empty());
    assert_eq!(plan.updates.len(), 2);
}

#[test]
fn a_deleted_row_is_appended_again_even_when_tracked() {
    let fetched = rows_of(&[order(1, 1001)]);
    let tracked = hashes(&fetched);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &fetched[0].rows[0]);
    let plan = plan(fetched, &sheet.index(), Compare::Hashes(&tracked));
    assert_eq!(plan.appends.len(), 1);
    assert_eq!(plan.appends[0].key, key(1, 12));
    assert_eq!(plan.appends[0].row, 3);
    assert_eq!(plan.unchanged, 1);
    // Appends alone (no header to add, nothing to update) are still something to write.
    assert!(plan.header_additions.is_empty() && plan.updates.is_empty());
    assert!(!plan.is_empty());
    // One row written again beside one unchanged: the order was updated, not new.
    assert_eq!(plan.orders[0].unchanged, 1);
    assert_eq!(plan.orders[0].outcome(), OrderOutcome::Updated);
}

#[test]
fn a_duplicated_key_updates_both_rows_and_is_reported() {
    let before = rows_of(&[order(1, 1001)]);
    let tracked = hashes(&before);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &before[0].rows[0]);
    sheet.put(3, &before[0].rows[1]);
    sheet.put(4, &before[0].rows[0]); // a person copied row 2
    let mut changed = order(1, 1001);
    changed.note = Some("Ring twice".to_owned());
    let plan = plan(
        rows_of(&[changed]),
        &sheet.index(),
        Compare::Hashes(&tracked),
    );
    let rows: Vec<u32> = plan.updates.iter().map(|u| u.row).collect();
    assert_eq!(rows, vec![2, 3, 4]);
    assert_eq!(
        plan.duplicates,
        vec![DuplicateKey {
            key: key(1, 11),
            rows: vec![2, 4],
        }]
    );
    assert_eq!(plan.orders[0].writes(), 3);
}

#[test]
fn missing_owned_headers_are_added_and_backfilled_on_unchanged_rows() {
    let fetched = rows_of(&[order(1, 1001)]);
    let tracked = hashes(&fetched);
    let names: Vec<&str> = Column::ALL
        .iter()
        .filter(|c| !matches!(c, Column::Tags | Column::Test))
        .map(|c| c.name())
        .chain(["Mine"])
        .collect();
    let mut sheet = Sheet::new(header_of(&names));
    sheet.put(2, &fetched[0].rows[0]);
    sheet.put(3, &fetched[0].rows[1]);
    let plan = plan(fetched, &sheet.index(), Compare::Hashes(&tracked));
    let added: Vec<(Column, usize)> = plan
        .header_additions
        .iter()
        .map(|a| (a.column, a.index))
        .collect();
    assert_eq!(added, vec![(Column::Tags, 22), (Column::Test, 23)]);
    assert_eq!(plan.width, 24);
    assert_eq!(plan.updates.len(), 2);
    assert_eq!(
        plan.updates[0].runs,
        vec![CellRun {
            column: 22,
            cells: vec![
                (Column::Tags, Cell::text("vip, wholesale")),
                (Column::Test, Cell::Bool(false)),
            ],
        }]
    );
}

#[test]
fn force_mode_rewrites_only_the_cells_that_differ() {
    let fetched = rows_of(&[order(1, 1001), order(2, 1002)]);
    let mut names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    names.insert(10, "Mine");
    let mut sheet = Sheet::new(header_of(&names));
    for (i, row) in fetched.iter().flat_map(|o| &o.rows).enumerate() {
        sheet.put(2 + u32::try_from(i).unwrap(), row);
    }
    // A person overwrote an owned cell on row 3 and typed a number as text on row 4.
    sheet.grid.get_mut(&3).unwrap()[22] = json!("my own note"); // Note (shifted by "Mine")
    sheet.grid.get_mut(&4).unwrap()[17] = json!("19.99"); // Unit Price as text
    sheet.put(6, &fetched[0].rows[0]); // and a duplicate of row 2, intact
    let cells = sheet.cells();
    let plan = plan(fetched, &sheet.index(), Compare::Cells(&cells));
    let written: Vec<(u32, usize, Vec<Column>)> = plan
        .updates
        .iter()
        .flat_map(|u| {
            u.runs
                .iter()
                .map(move |r| (u.row, r.column, r.cells.iter().map(|c| c.0).collect()))
        })
        .collect();
    assert_eq!(
        written,
        vec![
            (3, 22, vec![Column::Note]),
            (4, 17, vec![Column::UnitPrice])
        ]
    );
    assert_eq!(plan.unchanged, 2);
    assert_eq!(plan.duplicates.len(), 1);
    let changes = cell_changes(&plan.updates, &cells);
    assert_eq!(
        changes,
        vec![
            CellChange {
                key: key(1, 12),
                row: 3,
                column: Column::Note,
                before: "my own note".to_owned(),
                after: "Leave at the door".to_owned(),
            },
            CellChange {
                key: key(2, 21),
                row: 4,
                column: Column::UnitPrice,
                before: "19.99".to_owned(),
                after: "19.99".to_owned(),
            },
        ]
    );
}

#[test]
fn force_mode_rewrites_a_row_it_could_not_read_in_full() {
    let fetched = rows_of(&[order(1, 1001)]);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &fetched[0].rows[0]);
    sheet.put(3, &fetched[0].rows[1]);
    let mut cells = sheet.cells();
    cells.insert_row(3, 0, vec![]);
    let plan = plan(fetched, &sheet.index(), Compare::Cells(&cells));
    assert_eq!(plan.updates.len(), 1);
    assert_eq!(plan.updates[0].row, 3);
    // Every non-empty owned cell differs from a blank one; the empty Cancelled At does not.
    assert_eq!(plan.updates[0].runs.len(), 2);
}

#[test]
fn dry_run_diff_lists_changed_cells_only() {
    let before = rows_of(&[order(1, 1001)]);
    let tracked = hashes(&before);
    let mut sheet = Sheet::new(default_header());
    sheet.put(2, &before[0].rows[0]);
    sheet.put(3, &before[0].rows[1]);
    let mut cancelled = order(1, 1001);
    cancelled.cancelled_at = Some(at("2026-04-12T12:00:00Z"));
    cancelled.current_total = money("0.00", "USD");
    let plan = plan(
        rows_of(&[cancelled]),
        &sheet.index(),
        Compare::Hashes(&tracked),
    );
    let changes = cell_changes(&plan.updates, &sheet.cells());
    let summary: Vec<(u32, Column, &str, &str)> = changes
        .iter()
        .map(|c| (c.row, c.column, c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, Column::CancelledAt, "", "2026-04-12T08:00:00-04:00"),
            (2, Column::OrderTotal, "64.97", "0"),
            (3, Column::CancelledAt, "", "2026-04-12T08:00:00-04:00"),
            (3, Column::OrderTotal, "64.97", "0"),
        ]
    );
}

#[test]
fn an_order_fetched_twice_counts_once_with_its_latest_version() {
    let old = order(1, 1001);
    let mut newer = order(1, 1001);
    newer.updated_at = at("2026-04-12T00:00:00Z");
    newer.note = Some("newer".to_owned());
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    for given in [vec![old.clone(), newer.clone()], vec![newer, old]] {
        let plan = plan(rows_of(&given), &index, Compare::Hashes(&HashMap::new()));
        assert_eq!(plan.orders.len(), 1);
        assert_eq!(plan.appends.len(), 2);
        let note = &plan.appends[0].runs[0].cells[Column::Note.position()].1;
        assert_eq!(note, &Cell::text("newer"));
    }
}

/// Two versions with the same `updatedAt` (a page boundary can repeat an order): the one fetched
/// later wins, as the later read of the same instant.
#[test]
fn an_order_fetched_twice_at_the_same_instant_keeps_the_later_fetch() {
    let first = order(1, 1001);
    let mut later = order(1, 1001);
    later.note = Some("fetched later".to_owned());
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(
        rows_of(&[first, later]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    assert_eq!(plan.orders.len(), 1);
    let note = &plan.appends[0].runs[0].cells[Column::Note.position()].1;
    assert_eq!(note, &Cell::text("fetched later"));
}

#[test]
fn order_plans_carry_hashes_and_warnings() {
    let mut long = order(1, 1001);
    long.note = Some("x".repeat(60_000));
    long.email = None;
    long.phone = None;
    long.customer = Some(crate::order::Customer::default());
    long.shipping_address = None;
    let fetched = rows_of(&[long]);
    let want: Vec<(RowKey, ContentHash)> = fetched[0]
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.hash))
        .collect();
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(fetched, &index, Compare::Hashes(&HashMap::new()));
    assert_eq!(plan.orders[0].row_hashes, want);
    assert_eq!(plan.orders[0].truncated, vec![Column::Note]);
    assert!(plan.orders[0].customer_data_withheld);
}

#[test]
fn a_run_needs_the_sheet_only_when_some_hash_is_new_or_changed() {
    let fetched = rows_of(&[order(1, 1001), order(2, 1002)]);
    let mut tracked = hashes(&fetched);
    assert!(all_tracked(&fetched, &tracked));
    assert!(all_tracked(&[], &HashMap::new()));
    tracked.remove(&key(2, 22));
    assert!(!all_tracked(&fetched, &tracked));
    let mut changed = order(1, 1001);
    changed.tags.push("new".to_owned());
    assert!(!all_tracked(&rows_of(&[changed]), &hashes(&fetched)));
}

#[test]
fn planned_cells_are_listed_in_sheet_order() {
    let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
    let plan = plan(
        rows_of(&[order(1, 1001)]),
        &index,
        Compare::Hashes(&HashMap::new()),
    );
    let columns: Vec<Column> = plan.appends[0].cells().map(|(c, _)| *c).collect();
    assert_eq!(columns, Column::ALL.to_vec());
}

#[test]
fn long_cells_are_cut_to_the_limit_with_the_marker_and_reported() {
    // 60,000 "é" (over the limit), and 25,001 emoji: 25,001 characters but 50,002 UTF-16 units.
    for (text, exact) in [("é".repeat(60_000), true), ("😀".repeat(25_001), false)] {
        let mut long = order(1, 1001);
        long.note = Some(text);
        let index = SheetIndex::empty(HeaderLayout::fresh(), 2);
        let plan = plan(rows_of(&[long]), &index, Compare::Hashes(&HashMap::new()));
        assert_eq!(plan.orders[0].truncated, vec![Column::Note]);
        let note = plan.appends[0]
            .cells()
            .find(|(c, _)| *c == Column::Note)
            .map(|(_, cell)| cell.to_json())
            .unwrap();
        let note = note.as_str().unwrap();
        assert!(note.ends_with(crate::sheets::TRUNCATION_MARKER));
        let units = note.encode_utf16().count();
        assert!(units <= 50_000, "{units}");
        if exact {
            assert_eq!(units, 50_000);
        }
    }
}
