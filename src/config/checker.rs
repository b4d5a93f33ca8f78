//! Interpreting raw values: each that does not parse becomes a [`Problem`], and all are kept.

use super::{Key, Layers, Problem, Secret, ShopifyAuth, keys};

/// Interprets raw values, pushing a [`Problem`] for each that does not parse.
pub(super) struct Checker<'a> {
    pub(super) layers: &'a Layers,
    pub(super) problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn optional<T>(
        &mut self,
        key: Key,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.layers.get(key)?;
        match parse(&raw.text) {
            Ok(value) => Some(value),
            Err(message) => {
                self.problems.push(Problem::at(
                    key,
                    raw.source.clone(),
                    format!("is invalid: {message}"),
                ));
                None
            }
        }
    }

    pub(super) fn required<T>(
        &mut self,
        key: Key,
        hint: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.layers.get(key).is_none() {
            self.problems.push(Problem::missing(key, hint));
            return None;
        }
        self.optional(key, parse)
    }

    pub(super) fn shopify_auth(&mut self) -> Option<ShopifyAuth> {
        let token = self.layers.get(keys::ACCESS_TOKEN);
        let id = self.layers.get(keys::CLIENT_ID);
        let secret = self.layers.get(keys::CLIENT_SECRET);
        match (token, id, secret) {
            (Some(token), _, _) => Some(ShopifyAuth::Token(Secret::new(token.text.clone()))),
            (None, Some(id), Some(secret)) => Some(ShopifyAuth::ClientCredentials {
                client_id: id.text.clone(),
                client_secret: Secret::new(secret.text.clone()),
            }),
            (None, Some(_), None) => {
                self.problems.push(Problem::missing(
                    keys::CLIENT_SECRET,
                    " (shopify_client_id is set; the client-credentials grant needs both)",
                ));
                None
            }
            (None, None, Some(_)) => {
                self.problems.push(Problem::missing(
                    keys::CLIENT_ID,
                    " (shopify_client_secret is set; the client-credentials grant needs both)",
                ));
                None
            }
            (None, None, None) => {
                self.problems.push(Problem::missing(
                    keys::ACCESS_TOKEN,
                    " (or give shopify_client_id and shopify_client_secret of a Dev Dashboard app)",
                ));
                None
            }
        }
    }
}
