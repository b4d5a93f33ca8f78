//! The Shopify GraphQL Admin API client: connection, auth, typed errors, cost-aware pacing and
//! the order queries the sync needs. Returns domain types from [`crate::order`].
//!
//! This module never prints and never picks exit codes; [`ShopifyError::kind`] tells the CLI
//! which class of failure it got.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shopsync::shopify::ShopifyError> {
//! use std::sync::Arc;
//! use shopsync::clock::{Clock, SystemClock};
//! use shopsync::config::Secret;
//! use shopsync::shopify::{Auth, ShopifyClient, ShopifySettings};
//!
//! let clock = Arc::new(SystemClock);
//! let auth = Auth::Token(Secret::new("shpat_…"));
//! let client = ShopifyClient::new(ShopifySettings::new("acme", auth, clock.clone()))?;
//! let to = clock.now();
//! let mut pages = client.orders_updated(to - chrono::Duration::hours(1), to);
//! while let Some(page) = pages.next_page().await? {
//!     // page.shop is Some on the first page; page.orders are complete with their line items.
//!     let _ = (page.shop, page.orders);
//! }
//! # Ok(())
//! # }
//! ```

mod auth;
pub mod bulk;
mod client;
pub mod cost;
mod error;
mod orders;
pub mod queries;
pub(crate) mod reply;
mod transport;
pub(crate) mod wire;

/// Without `read_all_orders`, Shopify shows only orders created in the last this many days.
///
/// See: <https://shopify.dev/docs/api/usage/access-scopes> (`read_all_orders`)
pub const DEFAULT_ORDER_WINDOW_DAYS: u32 = 60;

pub use auth::Auth;
pub use client::{ClientStats, DEFAULT_API_VERSION, ShopifyClient, ShopifySettings};
pub use error::{ErrorKind, ShopifyError};
pub use orders::{OrderStream, OrdersCount, OrdersPage, window_query};
