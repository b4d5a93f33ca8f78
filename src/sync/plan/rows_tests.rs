//! Unit tests of [`super::order_rows`]: every column of a realistic order, and the awkward cases.

use chrono_tz::Tz;
use serde_json::{Value, json};

use super::*;
use crate::order::Customer;
use crate::sheets::cells::utf16_len;
use crate::sheets::{MAX_CELL_CHARS as MAX_CELL_UTF16, TRUNCATION_MARKER};
use crate::sync::fixtures::{at, money, order};

const BOSTON: Tz = chrono_tz::America::New_York;

fn json_row(row: &Row) -> Vec<(&'static str, Value)> {
    Column::ALL
        .iter()
        .map(|c| (c.name(), row.cell(*c).to_json()))
        .collect()
}

#[test]
fn every_column_of_a_realistic_order() {
    let mut o = order(5_501_234_567_890, 1001);
    o.line_items[0].current_quantity = 2;
    o.line_items[0].discounted_total = money("35.98", "USD");
    let rows = order_rows(&o, BOSTON);
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.order_id, "5501234567890");
    assert!(rows.truncated.is_empty());
    assert!(!rows.customer_data_withheld);
    let want = vec![
        ("Order", json!("#1001")),
        ("Order ID", json!("5501234567890")),
        ("Line Item ID", json!("55012345678901")),
        ("Created At", json!("2026-04-10T11:03:59-04:00")),
        ("Updated At", json!("2026-04-11T05:00:00-04:00")),
        ("Financial Status", json!("PAID")),
        ("Fulfillment Status", json!("UNFULFILLED")),
        ("Cancelled At", json!("")),
        ("Customer", json!("Ada Lovelace")),
        ("Email", json!("ada@example.com")),
        ("Phone", json!("+16175550100")),
        (
            "Shipping Address",
            json!("12 Main St, Apt 4, Boston, MA 02134, United States"),
        ),
        ("Product", json!("Wool Socks")),
        ("Variant", json!("Green / XL")),
        ("SKU", json!("SKU-55012345678901")),
        ("Quantity", json!(2)),
        ("Unit Price", json!(19.99)),
        ("Line Total", json!(35.98)),
        ("Order Total", json!(64.97)),
        ("Currency", json!("USD")),
        ("Tags", json!("vip, wholesale")),
        ("Note", json!("Leave at the door")),
        ("Test", json!(false)),
    ];
    assert_eq!(json_row(&rows.rows[0]), want);
    assert_eq!(
        rows.rows[0].key,
        RowKey::new("5501234567890", "55012345678901")
    );
    assert_eq!(rows.rows[1].cell(Column::Product), &Cell::text("Scarf"));
}

#[test]
fn a_guest_order_without_customer_or_address_leaves_cells_empty() {
    let mut o = order(7, 1007);
    o.customer = None;
    o.shipping_address = None;
    o.phone = None;
    o.tags.clear();
    o.note = None;
    o.financial_status = None;
    let rows = order_rows(&o, BOSTON);
    let row = &rows.rows[0];
    for column in [
        Column::Customer,
        Column::Phone,
        Column::ShippingAddress,
        Column::Tags,
        Column::Note,
        Column::FinancialStatus,
    ] {
        assert_eq!(row.cell(column), &Cell::Empty, "{column}");
        assert_eq!(row.cell(column).to_json(), json!(""), "{column}");
    }
    assert_eq!(row.cell(Column::Email), &Cell::text("ada@example.com"));
    assert!(
        !rows.customer_data_withheld,
        "a guest with an email is not withheld"
    );
}

#[test]
fn a_digital_order_has_no_address_and_falls_back_to_nothing() {
    let mut o = order(8, 1008);
    o.shipping_address = None;
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(row.cell(Column::ShippingAddress), &Cell::Empty);
    assert_eq!(row.cell(Column::Customer), &Cell::text("Ada Lovelace"));
    assert_eq!(row.cell(Column::Phone), &Cell::text("+16175550100"));
}

#[test]
fn customer_and_phone_fall_back_to_the_shipping_address() {
    let mut o = order(9, 1009);
    o.customer = Some(Customer {
        first_name: Some("  ".to_owned()),
        last_name: None,
    });
    o.phone = None;
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(row.cell(Column::Customer), &Cell::text("Ada Lovelace"));
    assert_eq!(row.cell(Column::Phone), &Cell::text("+16175550199"));

    let mut o = order(9, 1009);
    o.customer = Some(Customer {
        first_name: None,
        last_name: Some("Hopper".to_owned()),
    });
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(row.cell(Column::Customer), &Cell::text("Hopper"));
}

#[test]
fn a_gift_address_names_its_recipient() {
    let mut o = order(10, 1010);
    o.shipping_address.as_mut().unwrap().name = Some("Grace Hopper".to_owned());
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(
        row.cell(Column::ShippingAddress),
        &Cell::text("Grace Hopper, 12 Main St, Apt 4, Boston, MA 02134, United States")
    );
}

#[test]
fn address_lines_skip_empty_parts() {
    let address = Address {
        city: Some("Tokyo".to_owned()),
        province: Some("Tokyo".to_owned()),
        zip: Some("100-0001".to_owned()),
        country_code: Some("JP".to_owned()),
        ..Address::default()
    };
    assert_eq!(address_line(&address, None), "Tokyo, Tokyo 100-0001, JP");
    assert_eq!(address_line(&Address::default(), None), "");
}

#[test]
fn unicode_and_formula_looking_text_stay_plain_strings() {
    let mut o = order(11, 1011);
    o.note = Some("=HYPERLINK(\"http://evil\",\"click\")".to_owned());
    o.customer = Some(Customer {
        first_name: Some("Zoë".to_owned()),
        last_name: Some("Ødegård 山田".to_owned()),
    });
    o.tags = vec!["+sale".to_owned(), "@home".to_owned(), "-1".to_owned()];
    o.line_items[0].title = "Tシャツ 👕".to_owned();
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(
        row.cell(Column::Note).to_json(),
        json!("=HYPERLINK(\"http://evil\",\"click\")")
    );
    assert_eq!(
        row.cell(Column::Customer).to_json(),
        json!("Zoë Ødegård 山田")
    );
    assert_eq!(row.cell(Column::Tags).to_json(), json!("+sale, @home, -1"));
    assert_eq!(row.cell(Column::Product).to_json(), json!("Tシャツ 👕"));
    assert!(
        row.cell(Column::ShippingAddress)
            .display()
            .contains("02134")
    );
}

#[test]
fn money_is_exact_in_every_currency() {
    let cases = [
        ("0.30", "USD", json!(0.3)),
        ("1.005", "KWD", json!(1.005)),
        ("12.345", "BHD", json!(12.345)),
        ("1500", "JPY", json!(1500)),
        ("1500.0", "JPY", json!(1500)),
        ("0.00", "USD", json!(0)),
        ("99999999.99", "USD", json!(99_999_999.99)),
    ];
    for (amount, currency, want) in cases {
        let mut o = order(12, 1012);
        o.currency_code = currency.to_owned();
        o.line_items[0].unit_price = money(amount, currency);
        o.current_total = money(amount, currency);
        let row = &order_rows(&o, BOSTON).rows[0];
        assert_eq!(row.cell(Column::UnitPrice).to_json(), want, "{amount}");
        assert_eq!(row.cell(Column::OrderTotal).to_json(), want, "{amount}");
        assert_eq!(row.cell(Column::Currency), &Cell::text(currency));
    }
    // A sum computed exactly stays exact on the wire: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
    let mut o = order(12, 1012);
    o.current_total.amount = money("0.1", "USD").amount + money("0.2", "USD").amount;
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(row.cell(Column::OrderTotal).to_json().to_string(), "0.3");
}

#[test]
fn dates_carry_the_shop_offset_across_dst() {
    let cases = [
        // The hour before and after the spring-forward gap in New York (2026-03-08 07:00 UTC).
        ("2026-03-08T06:59:59Z", BOSTON, "2026-03-08T01:59:59-05:00"),
        ("2026-03-08T07:00:00Z", BOSTON, "2026-03-08T03:00:00-04:00"),
        // Fall back: 01:30 happens twice (2026-11-01).
        ("2026-11-01T05:30:00Z", BOSTON, "2026-11-01T01:30:00-04:00"),
        ("2026-11-01T06:30:00Z", BOSTON, "2026-11-01T01:30:00-05:00"),
        (
            "2026-07-01T12:00:00Z",
            chrono_tz::UTC,
            "2026-07-01T12:00:00+00:00",
        ),
        (
            "2026-07-01T12:00:00Z",
            chrono_tz::Asia::Kolkata,
            "2026-07-01T17:30:00+05:30",
        ),
        (
            "2026-01-01T00:00:00Z",
            chrono_tz::Australia::Sydney,
            "2026-01-01T11:00:00+11:00",
        ),
    ];
    for (utc, tz, want) in cases {
        assert_eq!(shop_time(at(utc), tz), want, "{utc} in {tz}");
    }
    let mut o = order(13, 1013);
    o.cancelled_at = Some(at("2026-03-08T07:00:00Z"));
    let row = &order_rows(&o, BOSTON).rows[0];
    assert_eq!(
        row.cell(Column::CancelledAt),
        &Cell::text("2026-03-08T03:00:00-04:00")
    );
}

#[test]
fn a_removed_line_item_keeps_its_row_with_quantity_zero() {
    let mut o = order(14, 1014);
    o.line_items[1].current_quantity = 0;
    let rows = order_rows(&o, BOSTON);
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.rows[1].cell(Column::Quantity).to_json(), json!(0));
}

#[test]
fn long_cells_are_truncated_and_reported_once_per_column() {
    let mut o = order(15, 1015);
    o.note = Some("n".repeat(60_000));
    o.line_items[0].title = "t".repeat(MAX_CELL_UTF16 + 5);
    let rows = order_rows(&o, BOSTON);
    assert_eq!(rows.truncated, vec![Column::Product, Column::Note]);
    for row in &rows.rows {
        let Cell::Text(note) = row.cell(Column::Note) else {
            panic!("note is text")
        };
        assert_eq!(utf16_len(note), MAX_CELL_UTF16);
        assert!(note.ends_with(TRUNCATION_MARKER));
    }
    assert_eq!(rows.rows[1].cell(Column::Product), &Cell::text("Scarf"));
}

#[test]
fn withheld_customer_data_is_detected_and_guests_are_not() {
    let withheld = |edit: &dyn Fn(&mut Order)| {
        let mut o = order(16, 1016);
        edit(&mut o);
        looks_withheld(&o)
    };
    assert!(!withheld(&|_| {}));
    // What Shopify returns without level-2 access: names, email, phone, street nulled.
    assert!(withheld(&|o| {
        o.email = None;
        o.phone = None;
        o.customer = Some(Customer::default());
        o.shipping_address = Some(Address {
            city: Some("Boston".to_owned()),
            country: Some("United States".to_owned()),
            ..Address::default()
        });
    }));
    assert!(withheld(&|o| {
        o.email = None;
        o.phone = None;
        o.customer = Some(Customer::default());
        o.shipping_address = None;
    }));
    // Point of sale, no customer, no address: nothing shows data was withheld.
    assert!(!withheld(&|o| {
        o.email = None;
        o.phone = None;
        o.customer = None;
        o.shipping_address = None;
    }));
    // A guest with an email only.
    assert!(!withheld(&|o| {
        o.phone = None;
        o.customer = None;
        o.shipping_address = None;
    }));
    // Any one protected field that came through shows nothing was withheld: here the email, with
    // an unnamed customer and an address of city and country only.
    assert!(!withheld(&|o| {
        o.phone = None;
        o.customer = Some(Customer::default());
        o.shipping_address = Some(Address {
            city: Some("Boston".to_owned()),
            ..Address::default()
        });
    }));
    // A first name alone names the customer (and so does a last name alone).
    for (first, last) in [(Some("Ada"), None), (None, Some("Lovelace"))] {
        assert!(!withheld(&|o| {
            o.email = None;
            o.phone = None;
            o.customer = Some(Customer {
                first_name: first.map(str::to_owned),
                last_name: last.map(str::to_owned),
            });
            o.shipping_address = None;
        }));
    }
}

#[test]
fn a_row_key_prints_as_order_slash_line_item() {
    assert_eq!(RowKey::new("5501", "55011").to_string(), "5501/55011");
}

#[test]
fn hashes_are_stable_and_sensitive_to_every_column() {
    let base = order_rows(&order(17, 1017), BOSTON);
    assert_eq!(base, order_rows(&order(17, 1017), BOSTON));
    assert_ne!(base.rows[0].hash, base.rows[1].hash);
    // Changing any one cell changes the hash.
    for column in Column::ALL {
        let mut row = base.rows[0].clone();
        row.cells[column.position()] = match row.cell(column) {
            Cell::Empty => Cell::text("x"),
            Cell::Text(t) => Cell::text(format!("{t}x")),
            Cell::Number(n) => Cell::Number(*n + rust_decimal::Decimal::ONE),
            Cell::Integer(n) => Cell::Integer(n + 1),
            Cell::Bool(b) => Cell::Bool(!b),
        };
        assert_ne!(ContentHash::of_cells(&row.cells), row.hash, "{column}");
    }
    // A change Shopify makes but that no cell shows (here: the product gid) changes nothing.
    let mut o = order(17, 1017);
    o.line_items[0].product_gid = None;
    assert_eq!(order_rows(&o, BOSTON).rows[0].hash, base.rows[0].hash);
    // The same instant in another zone is written differently, so it hashes differently.
    assert_ne!(
        order_rows(&order(17, 1017), chrono_tz::UTC).rows[0].hash,
        base.rows[0].hash
    );
}
