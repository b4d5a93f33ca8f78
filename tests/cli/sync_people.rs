//! Promise 3 end to end: between runs a person sorts the rows, inserts blank and typed rows and
//! adds a column of their own between owned columns; the next sync finds rows by key and columns
//! by header, so updates land on the right rows and the person's cells stay as they were. Owned
//! columns a person moved are written where they are now; a row a person copied is updated on
//! both rows, never deleted, and reported.

use serde_json::{Value, json};

use crate::world::{TAB, World};

#[test]
fn a_person_sorting_inserting_rows_and_adding_a_column_is_never_trampled() {
    let world = World::fast(41, 20);
    world.sync_ok(&[]);
    let sheet = world.spreadsheet.clone();
    let google = &world.google;

    // Sort by Product, descending: the rows are no longer in the order shopsync wrote them.
    let product = u32::try_from(world.col("Product")).expect("col");
    google.person_sort_rows(&sheet, TAB, product, true);
    // A column of the person's own between Line Item ID and Created At, filled on every row.
    let between = u32::try_from(world.col("Created At")).expect("col");
    google.person_add_column(&sheet, TAB, between, "Packed by");
    for (key, (row, _)) in world.rows_by_key() {
        google.person_edit_cell(
            &sheet,
            TAB,
            row,
            between,
            &json!(format!("mine {}/{}", key.0, key.1)),
        );
    }
    // Blank rows in the middle, and a typed row with no key near the top.
    google.person_insert_blank_rows(&sheet, TAB, 6, 2);
    let typed = vec![json!("Total"), json!(""), json!(""), json!("typed by hand")];
    google.person_insert_typed_row(&sheet, TAB, 3, &typed);
    let typed_before = world.rows()[2].clone();
    let blank_before: Vec<Vec<Value>> = world.rows()[6..8].to_vec();
    assert!(blank_before.iter().all(Vec::is_empty), "{blank_before:?}");
    let before = world.rows_by_key();

    // Orders change in Shopify.
    let ids = world.order_ids();
    let changed = [ids[2], ids[9], ids[14]];
    for id in &changed[..2] {
        assert!(world.shopify.cancel(*id));
    }
    assert!(world.shopify.edit_lines(changed[2], 0));
    let added = world.shopify.add_orders(2);
    world.sync_ok(&[]);

    world.assert_exactly_once();
    let after = world.rows_by_key();
    let rows = world.rows();
    assert_eq!(rows[2], typed_before, "the typed row was touched");
    assert_eq!(
        rows[6..8].to_vec(),
        blank_before,
        "the blank rows were written to"
    );
    let packed = world.col("Packed by");
    for (key, (row, cells)) in &before {
        let (row_now, cells_now) = &after[key];
        assert_eq!(row, row_now, "{key:?} moved");
        assert_eq!(
            cells_now[packed],
            json!(format!("mine {}/{}", key.0, key.1)),
            "the person's cell of {key:?} changed"
        );
        if !changed.iter().any(|id| id.to_string() == key.0) {
            assert_eq!(cells, cells_now, "{key:?} changed though its order did not");
        }
    }
    // Each keyed row holds its own order's values.
    let order_col = world.col("Order");
    for id in world.order_ids() {
        for key in world.keys_of(id) {
            assert_eq!(
                after[&key].1[order_col],
                json!(world.order_name(id)),
                "{key:?}"
            );
        }
    }
    for id in &changed[..2] {
        for key in world.keys_of(*id) {
            assert_eq!(world.cell(&key, "Financial Status"), "VOIDED", "{key:?}");
        }
    }
    assert_eq!(world.cell(&world.keys_of(changed[2])[0], "Quantity"), 0);
    // New rows go after the last used row, with the person's column left blank.
    let last_used = before.values().map(|(r, _)| *r).max().expect("rows");
    for id in added {
        for key in world.keys_of(id) {
            let (row, cells) = &after[&key];
            assert!(*row > last_used);
            assert!(cells.get(packed).is_none_or(|v| v == "" || v.is_null()));
        }
    }
    assert!(
        world.google.formulas(&sheet, TAB).is_empty(),
        "a value became a formula"
    );
}

#[test]
fn owned_columns_a_person_moved_are_found_by_header_and_written_there() {
    let world = World::fast(42, 15);
    world.sync_ok(&[]);
    let sheet = world.spreadsheet.clone();
    // The key column to the far left, Financial Status to the far right.
    let order_id = u32::try_from(world.col("Order ID")).expect("col");
    world.google.person_move_column(&sheet, TAB, order_id, 0);
    let status = u32::try_from(world.col("Financial Status")).expect("col");
    let last = u32::try_from(world.rows()[0].len() - 1).expect("col");
    world.google.person_move_column(&sheet, TAB, status, last);
    let header = world.rows()[0].clone();
    assert_eq!(header[0], "Order ID");
    assert_eq!(header.last().expect("header"), "Financial Status");
    let before = world.rows_by_key();

    let ids = world.order_ids();
    assert!(world.shopify.cancel(ids[4]));
    let added = world.shopify.add_orders(1);
    world.sync_ok(&[]);

    assert_eq!(world.rows()[0], header, "the header was rearranged");
    world.assert_exactly_once();
    let after = world.rows_by_key();
    for (key, (row, cells)) in &before {
        assert_eq!(after[key].0, *row, "{key:?} moved");
        if key.0 != ids[4].to_string() {
            assert_eq!(
                &after[key].1, cells,
                "{key:?} changed though its order did not"
            );
        }
    }
    for key in world.keys_of(ids[4]) {
        assert_eq!(world.cell(&key, "Financial Status"), "VOIDED");
        assert_eq!(world.cell(&key, "Order"), world.order_name(ids[4]).as_str());
    }
    for key in world.keys_of(added[0]) {
        assert_eq!(world.cell(&key, "Order ID"), key.0.as_str());
        assert_eq!(
            world.cell(&key, "Order"),
            world.order_name(added[0]).as_str()
        );
        let status = world.shopify.with_store(|s, _| {
            s.get(added[0])
                .and_then(|o| o.financial_status)
                .unwrap_or("")
        });
        assert_eq!(world.cell(&key, "Financial Status"), status);
    }
}

#[test]
fn a_row_a_person_copied_keeps_both_copies_up_to_date_and_missing_reports_it() {
    let world = World::fast(43, 10);
    world.sync_ok(&[]);
    let sheet = world.spreadsheet.clone();
    let id = world.order_ids()[3];
    let key = world.keys_of(id)[0].clone();
    let (row, cells) = world.rows_by_key()[&key].clone();
    // The copy goes below the last row, as a person pasting it there would.
    let copy = u32::try_from(world.rows().len() + 1).expect("row");
    world.google.person_set_row(&sheet, TAB, copy, &cells);
    let rows_before = world.rows().len();

    assert!(world.shopify.cancel(id));
    let stdout = world.sync_ok(&[]);
    assert!(
        stdout.contains(&format!("is on rows {row}, {copy}")),
        "the duplicate is not named: {stdout}"
    );
    let rows = world.rows();
    assert_eq!(rows.len(), rows_before, "a row was added or deleted");
    let status = world.col("Financial Status");
    for r in [row, copy] {
        assert_eq!(
            rows[r as usize - 1][status],
            "VOIDED",
            "row {r} was not updated"
        );
    }

    // Never deleted, and `missing` leaves it to the person: exit 1, both rows named.
    world.refill_bucket();
    let (code, found) = world.json(&["missing", "--dry-run", "--json"]);
    assert_eq!(code, 1, "{found}");
    assert!(
        found["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| {
                f["class"] == "unresolved"
                    && f["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(&format!("is on rows {row}, {copy}")))
            }),
        "{found:#}"
    );
    assert_eq!(world.rows().len(), rows_before);
}
