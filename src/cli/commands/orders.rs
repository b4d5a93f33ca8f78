//! `shopsync orders`: recently synced orders.

use comfy_table::CellAlignment;
use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Output, or_dash};
use crate::cli::reading::ReadStore;
use crate::config::number_in;
use crate::order::format_money;
use crate::store::{OrderRecord, OrderStatus};

/// List the most recently synced orders from the tracking store.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many orders to show.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true, value_parser = limit)]
    pub limit: u32,
    /// Print the orders as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The most orders one listing shows.
const MAX_LIMIT: u32 = 1_000_000;

/// `--limit`, with the same words as a number in the configuration (a negative one is out of
/// range, not a flag).
fn limit(text: &str) -> Result<u32, String> {
    number_in(text, 1, MAX_LIMIT)
}

/// The `--json` shape.
#[derive(Debug, Serialize)]
struct Listing {
    /// The zone the human output shows times in (the JSON times are UTC).
    timezone: &'static str,
    /// Why the list is empty before the first sync (`null` once a sync has created the database).
    note: Option<String>,
    orders: Vec<OrderRecord>,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(args.json);
    let read = ReadStore::open(ctx)?;
    let zone = read.zone()?;
    let orders = match &read.store {
        Some(store) => store.recent_orders(args.limit as usize)?,
        None => Vec::new(),
    };
    if args.json {
        out.print_json(&Listing {
            timezone: zone.name(),
            note: read.not_yet.clone(),
            orders,
        })?;
        return Ok(Outcome::Done);
    }
    if ctx.verbosity.quiet {
        return Ok(Outcome::Done);
    }
    if let Some(note) = &read.not_yet {
        out.line(note)?;
        return Ok(Outcome::Done);
    }
    if orders.is_empty() {
        out.line("No orders are tracked yet.")?;
        return Ok(Outcome::Done);
    }
    let mut table = out.table(&[
        "Order",
        "Created",
        "Financial",
        "Fulfillment",
        "Total",
        "Items",
        "Last synced",
        "Status",
    ]);
    for order in &orders {
        table.add_row(vec![
            order.name.clone(),
            zone.minute(order.created_at),
            or_dash(order.financial_status.as_ref()),
            order.fulfillment_status.clone(),
            format_money(order.total, &order.currency),
            order.line_item_count.to_string(),
            zone.minute(order.last_synced_at),
            status_text(order),
        ]);
    }
    for column in [4, 5] {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.line(table)?;
    out.line(format!(
        "{} most recent by creation; times in {}.",
        orders.len(),
        zone.describe()
    ))?;
    Ok(Outcome::Done)
}

/// What a person needs to know about the order's tracking, in a few words.
fn status_text(order: &OrderRecord) -> String {
    let mut parts = Vec::new();
    if order.status == OrderStatus::Deleted {
        parts.push("deleted in Shopify");
    }
    if order.pending_rewrite {
        parts.push("rewrite pending");
    }
    if order.cancelled_at.is_some() {
        parts.push("cancelled");
    }
    if order.test {
        parts.push("test");
    }
    if parts.is_empty() {
        "synced".to_owned()
    } else {
        parts.join(", ")
    }
}
