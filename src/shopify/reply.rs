//! Shopify's replies to typed results: HTTP statuses and error bodies, GraphQL `errors` with
//! their codes, the cost extension fed to the pacer, and the data decoded.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tracing::warn;

use super::client::{ShopifyClient, lock};
use super::error::ShopifyError;
use super::queries::Document;
use super::wire::{Cost, ErrorBody, Errors, Reply};

/// `Retry-After` in seconds (Shopify may send a fraction, such as `2.0`).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: f64 = value.trim().parse().ok()?;
    // A value past what a Duration holds (`1e20`) is "very long": the backoff caps it.
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

/// How many errors are `ACCESS_DENIED` on fields inside the data (protected customer data), when
/// every error is of that kind; 0 otherwise.
pub(crate) fn withheld_fields(errors: &Errors) -> u64 {
    let Errors::List(list) = errors else { return 0 };
    let inner_denial = |e: &super::wire::GraphQlError| {
        e.extensions
            .as_ref()
            .and_then(|x| x.code.as_deref())
            .is_some_and(|c| c == "ACCESS_DENIED")
            && e.path.as_ref().is_some_and(|p| p.len() > 1)
    };
    if list.iter().all(inner_denial) {
        list.len() as u64
    } else {
        0
    }
}

impl ShopifyClient {
    pub(crate) fn http_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        bytes: &[u8],
        request_id: String,
    ) -> ShopifyError {
        let message = serde_json::from_slice::<ErrorBody>(bytes)
            .ok()
            .and_then(|b| b.errors)
            .map_or_else(
                || {
                    let text = String::from_utf8_lossy(bytes);
                    text.chars().take(200).collect::<String>()
                },
                |e| e.summary(),
            );
        let shop = self.shop.clone();
        match status {
            401 => ShopifyError::Unauthorized { shop, message },
            402 => ShopifyError::ShopFrozen { shop, message },
            403 => ShopifyError::Forbidden { message },
            404 => ShopifyError::NotFound {
                url: self.endpoint.clone(),
            },
            423 => ShopifyError::Locked { shop },
            429 | 500..=599 => ShopifyError::Server {
                status,
                message,
                request_id,
                retry_after: retry_after(headers),
            },
            _ => ShopifyError::Http {
                status,
                message,
                request_id,
            },
        }
    }

    /// Decodes a 200 reply straight into the typed `T` (one pass, no intermediate tree); only a
    /// reply that does not fit `T` is parsed again, untyped, to tell malformed JSON, GraphQL
    /// errors and an unexpected shape apart.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        doc: Document,
        bytes: &[u8],
        request_id: &str,
        estimate: f64,
    ) -> Result<T, ShopifyError> {
        // Text checked once as UTF-8 is parsed without checking each string again; a reply that
        // is not UTF-8 is left to the untyped parse below to describe.
        let typed = std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| serde_json::from_str::<Reply<T>>(text).ok());
        if let Some(reply) = typed {
            return self.accept(doc, reply, request_id, estimate);
        }
        let reply: Reply<serde_json::Value> =
            serde_json::from_slice(bytes).map_err(|e| ShopifyError::Decode {
                operation: doc.name,
                message: format!("malformed JSON (request {request_id}): {e}"),
                retryable: true,
            })?;
        let data = self.accept(doc, reply, request_id, estimate)?;
        serde_json::from_value(data).map_err(|e| ShopifyError::Decode {
            operation: doc.name,
            message: format!("unexpected shape (request {request_id}): {e}"),
            retryable: false,
        })
    }

    /// Feeds the cost to the pacer and the statistics, turns `errors` into an error (except
    /// withheld protected customer data, which keeps the data) and returns the data.
    fn accept<T>(
        &self,
        doc: Document,
        reply: Reply<T>,
        request_id: &str,
        estimate: f64,
    ) -> Result<T, ShopifyError> {
        let cost = reply.extensions.as_ref().and_then(|e| e.cost);
        let now = self.clock.now();
        if let Some(cost) = cost {
            lock(&self.pacer).observe(
                cost.throttle_status,
                cost.requested_query_cost,
                estimate,
                now,
            );
            let mut stats = lock(&self.stats);
            if let Some(actual) = cost.actual_query_cost {
                stats.actual_cost += actual;
            }
            if let Some(requested) = cost.requested_query_cost {
                stats.requested_cost += requested;
                stats.estimated_cost += estimate;
            }
        }
        if let Some(errors) = reply.errors {
            let withheld = withheld_fields(&errors);
            if withheld == 0 || reply.data.is_none() {
                return Err(self.graphql_error(doc, &errors, cost));
            }
            // Protected customer data the app is not approved for comes back null beside the
            // rest of the data: keep the data, leave those cells empty, and say so once.
            lock(&self.stats).withheld_fields += withheld;
            if !self.withheld_warned.swap(true, Ordering::Relaxed) {
                warn!(
                    request_id,
                    "Shopify withheld protected customer data (names, email, phone or address): \
                     those cells stay empty; approve protected customer data access for the app \
                     to fill them"
                );
            }
        }
        reply.data.ok_or_else(|| ShopifyError::Decode {
            operation: doc.name,
            message: format!("no data and no errors (request {request_id})"),
            retryable: true,
        })
    }

    fn graphql_error(&self, doc: Document, errors: &Errors, cost: Option<Cost>) -> ShopifyError {
        let Errors::List(list) = errors else {
            return ShopifyError::Query {
                operation: doc.name,
                messages: errors.summary(),
                retryable: false,
            };
        };
        let code = |c: &str| {
            list.iter().find(|e| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.code.as_deref())
                    .is_some_and(|code| code == c)
            })
        };
        if code("THROTTLED").is_some() {
            lock(&self.stats).throttled += 1;
            if let Some((requested, s)) =
                cost.and_then(|c| Some((c.requested_query_cost?, c.throttle_status?)))
                && requested > s.maximum_available
            {
                // The bucket can never hold this query: it must shrink, not wait.
                return ShopifyError::MaxCostExceeded {
                    requested,
                    max: s.maximum_available,
                };
            }
            let wait = cost
                .and_then(|c| Some((c.requested_query_cost?, c.throttle_status?)))
                .map_or(Duration::from_secs(1), |(requested, s)| {
                    let short = (requested - s.currently_available).max(0.0);
                    // Any number may come back (`currentlyAvailable: -1e25`, NaN): a wait past
                    // what a Duration holds is "very long", which the backoff caps.
                    Duration::try_from_secs_f64((short / s.restore_rate.max(1.0)).ceil())
                        .unwrap_or(Duration::MAX)
                });
            return ShopifyError::Throttled { wait };
        }
        if let Some(e) = code("MAX_COST_EXCEEDED") {
            let ext = e.extensions.as_ref();
            return ShopifyError::MaxCostExceeded {
                requested: ext.and_then(|x| x.cost).unwrap_or(f64::NAN),
                max: ext
                    .and_then(|x| x.max_cost)
                    .unwrap_or(super::cost::MAX_QUERY_COST),
            };
        }
        if let Some(e) = code("ACCESS_DENIED") {
            return ShopifyError::AccessDenied {
                message: e.message.clone(),
                required: e
                    .extensions
                    .as_ref()
                    .and_then(|x| x.required_access.clone())
                    .unwrap_or_else(|| "the `read_orders` access scope".to_owned()),
            };
        }
        ShopifyError::Query {
            operation: doc.name,
            messages: errors.summary(),
            retryable: code("INTERNAL_SERVER_ERROR").is_some(),
        }
    }
}
