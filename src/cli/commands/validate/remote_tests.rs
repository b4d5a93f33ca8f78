//! Unit tests of the parent module.

use super::*;
use crate::cli::commands::validate::Status;

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_sixty_day_window_decides_how_a_missing_read_all_orders_counts() {
    let cases = [
        (&["read_orders", "read_all_orders"][..], 90, Status::Pass),
        (&["read_orders"][..], 30, Status::Warn),
        (&["read_orders"][..], 60, Status::Warn),
        (&["read_orders"][..], 61, Status::Fail),
        (&["write_orders"][..], 30, Status::Warn),
        (&["read_products"][..], 30, Status::Fail),
        (&[][..], 30, Status::Fail),
    ];
    for (granted, days, want) in cases {
        let check = scopes_check(&scopes(granted), days);
        assert_eq!(check.status, want, "{granted:?} {days}: {check:?}");
        assert_eq!(check.hint.is_some(), want != Status::Pass);
    }
}

#[test]
fn cell_counts_are_grouped_by_thousands() {
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(26_000), "26,000");
    assert_eq!(grouped(10_000_000), "10,000,000");
}

#[test]
fn a_version_that_fell_forward_fails() {
    assert_eq!(
        version_check("2026-04", Some("2026-04")).status,
        Status::Pass
    );
    let check = version_check("2025-10", Some("2026-01"));
    assert_eq!(check.status, Status::Fail);
    assert!(check.hint.unwrap().contains("2026-01"));
    assert_eq!(version_check("2026-04", None).status, Status::Warn);
}
