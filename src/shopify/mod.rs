//! Shopify GraphQL Admin API client.
