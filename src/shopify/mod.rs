//! The Shopify GraphQL Admin API client: connection, auth, typed errors, cost-aware pacing and
//! the order queries the sync needs. Returns domain types from [`crate::order`].
//!
//! This module never prints and never picks exit codes; [`ShopifyError::kind`] tells the CLI
//! which class of failure it got.

mod auth;
mod client;
pub mod cost;
mod error;
mod orders;
pub mod queries;
mod reply;
mod wire;

pub use auth::Auth;
pub use client::{ClientStats, DEFAULT_API_VERSION, ShopifyClient, ShopifySettings};
pub use error::{ErrorKind, ShopifyError};
pub use orders::{OrderStream, OrdersCount, OrdersPage, window_query};
