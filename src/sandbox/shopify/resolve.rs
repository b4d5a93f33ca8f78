//! Field resolvers over the in-memory store, for apollo-compiler's executor: one enum variant per
//! GraphQL object type the emulator serves.

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use super::bulk::{self, Bulk};
use super::store::{Filter, Page, SortKey, Store, Visibility, decode_cursor, encode_cursor};
use crate::sandbox::data::{
    AddressData, CustomerData, LineData, OrderData, ProductData, minor_digits, presentment_minor,
    to_utc,
};

/// Connections may not ask for more than this many items per page.
/// See: shopify.dev/docs/api/usage/pagination-graphql.
pub const MAX_PAGE: u64 = 250;

/// What a request's resolvers can see.
#[derive(Debug)]
pub struct Ctx<'s> {
    /// The shop.
    pub store: &'s Store,
    /// The token's visibility window.
    pub vis: Visibility,
    /// The token's granted scopes.
    pub scopes: &'s [String],
    /// Whether the app may read protected customer data (names, email, phone, address lines).
    pub protected: bool,
    /// The shop's bulk operations (none inside a bulk export, which cannot read them).
    pub bulk: Option<&'s Bulk>,
    /// Inside a bulk export: the orders of the chunk being exported. Connections then hold every
    /// node, with no page size.
    pub export: Option<&'s [&'s OrderData]>,
}

/// The message Shopify gives for protected customer data the app is not approved for.
pub const PROTECTED_DATA_MESSAGE: &str = "This app is not approved to access protected customer \
    data. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";

fn protected<'a>(ctx: &Ctx<'_>, value: ResolvedValue<'a>) -> Result<ResolvedValue<'a>, FieldError> {
    if ctx.protected {
        Ok(value)
    } else {
        Err(err(PROTECTED_DATA_MESSAGE))
    }
}

/// Every object the emulator can return.
pub enum Obj<'s> {
    /// `QueryRoot`.
    Query(&'s Ctx<'s>),
    Shop(&'s Ctx<'s>),
    App(&'s Ctx<'s>),
    Scope(&'s str),
    Count(usize, bool),
    PageInfo {
        has_next: bool,
        start: Option<String>,
        end: Option<String>,
    },
    Orders(&'s Ctx<'s>, Page<&'s OrderData>),
    OrderEdge(&'s Ctx<'s>, &'s OrderData, String),
    Order(&'s Ctx<'s>, &'s OrderData),
    Lines(&'s Ctx<'s>, &'s OrderData, Page<&'s LineData>),
    LineEdge(&'s Ctx<'s>, &'s OrderData, &'s LineData, String),
    Line(&'s Ctx<'s>, &'s OrderData, &'s LineData),
    /// An amount in the shop's currency (minor units), the shop's currency, the customer's.
    MoneyBag(i64, &'s str, &'static str),
    Money(i64, &'s str),
    Customer(&'s Ctx<'s>, &'s CustomerData),
    Email(&'s str),
    Address(&'s Ctx<'s>, &'s AddressData, u32),
    Product(&'s ProductData),
    Variant(&'s ProductData),
}

fn err(message: impl Into<String>) -> FieldError {
    FieldError {
        message: message.into(),
    }
}

fn opt_str<'a>(value: Option<&str>) -> ResolvedValue<'a> {
    value.map_or_else(ResolvedValue::null, ResolvedValue::leaf)
}

fn time<'a>(secs: i64) -> ResolvedValue<'a> {
    ResolvedValue::leaf(to_utc(secs).format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// `minor` units of the shop's currency as a `MoneyBag` of order `o`: `shopMoney` in the shop's
/// currency (also `Order.currencyCode`), `presentmentMoney` in the customer's.
fn bag<'a>(ctx: &'a Ctx<'a>, o: &OrderData, minor: i64) -> ResolvedValue<'a> {
    let shop = ctx.store.data.shop.currency.as_str();
    ResolvedValue::object(Obj::MoneyBag(minor, shop, o.presentment_currency))
}

/// Formats minor units as Shopify's `Decimal` string.
#[must_use]
pub fn decimal(minor: i64, currency: &str) -> String {
    if minor_digits(currency) == 0 {
        return format!("{minor}.0");
    }
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn arg_u64(info: &ResolveInfo<'_>, name: &str) -> Option<u64> {
    info.arguments().get(name).and_then(JsonValue::as_u64)
}

fn arg_str<'a>(info: &'a ResolveInfo<'_>, name: &str) -> Option<&'a str> {
    info.arguments().get(name).and_then(JsonValue::as_str)
}

pub(crate) fn page_size(info: &ResolveInfo<'_>) -> Result<usize, FieldError> {
    if info.arguments().get("last").is_some_and(|v| !v.is_null()) {
        return Err(err("The emulator pages forward only: use `first`."));
    }
    let first =
        arg_u64(info, "first").ok_or_else(|| err("you must provide one of first or last"))?;
    if first > MAX_PAGE {
        return Err(err(format!(
            "The maximum number of items per page is {MAX_PAGE}; `first` was {first}."
        )));
    }
    usize::try_from(first).map_err(|_| err("first is too large"))
}

/// The numeric tail of `gid://shopify/<kind>/<n>` when the kind matches.
fn gid_number(gid: &str, kind: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?
        .parse()
        .ok()
}

impl<'s> Ctx<'s> {
    fn order(&self, gid: &str) -> Option<&'s OrderData> {
        let id = gid_number(gid, "Order")?;
        self.store
            .get(id)
            .filter(|o| o.created_at >= self.vis.created_after)
    }
}

impl ObjectValue for Obj<'_> {
    fn type_name(&self) -> &str {
        match self {
            Self::Query(_) => "QueryRoot",
            Self::Shop(_) => "Shop",
            Self::App(_) => "AppInstallation",
            Self::Scope(_) => "AccessScope",
            Self::Count(..) => "Count",
            Self::PageInfo { .. } => "PageInfo",
            Self::Orders(..) => "OrderConnection",
            Self::OrderEdge(..) => "OrderEdge",
            Self::Order(..) => "Order",
            Self::Lines(..) => "LineItemConnection",
            Self::LineEdge(..) => "LineItemEdge",
            Self::Line(..) => "LineItem",
            Self::MoneyBag(..) => "MoneyBag",
            Self::Money(..) => "MoneyV2",
            Self::Customer(..) => "Customer",
            Self::Email(_) => "CustomerEmailAddress",
            Self::Address(..) => "MailingAddress",
            Self::Product(_) => "Product",
            Self::Variant(_) => "ProductVariant",
        }
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let field = info.field_name();
        match self {
            Self::Query(ctx) => resolve_query(ctx, info),
            Self::Shop(ctx) => {
                let shop = &ctx.store.data.shop;
                Ok(match field {
                    "id" => ResolvedValue::leaf("gid://shopify/Shop/548380009"),
                    "name" => ResolvedValue::leaf(shop.name.as_str()),
                    "myshopifyDomain" => ResolvedValue::leaf(shop.myshopify_domain.as_str()),
                    "ianaTimezone" => ResolvedValue::leaf(shop.iana_timezone.as_str()),
                    "currencyCode" => ResolvedValue::leaf(shop.currency.as_str()),
                    "orderNumberFormatPrefix" => ResolvedValue::leaf(shop.prefix.as_str()),
                    "orderNumberFormatSuffix" => ResolvedValue::leaf(shop.suffix.as_str()),
                    _ => return Err(self.unknown_field_error(info)),
                })
            }
            Self::App(ctx) => Ok(match field {
                "id" => ResolvedValue::leaf("gid://shopify/AppInstallation/1"),
                "accessScopes" => ResolvedValue::list(
                    ctx.scopes
                        .iter()
                        .map(|s| ResolvedValue::object(Obj::Scope(s.as_str()))),
                ),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Scope(handle) => Ok(match field {
                "handle" => ResolvedValue::leaf(*handle),
                "description" => ResolvedValue::leaf(format!("Access scope {handle}")),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Count(n, exact) => Ok(match field {
                "count" => ResolvedValue::leaf(*n as u64),
                "precision" => ResolvedValue::leaf(if *exact { "EXACT" } else { "AT_LEAST" }),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::PageInfo {
                has_next,
                start,
                end,
            } => Ok(match field {
                "hasNextPage" => ResolvedValue::leaf(*has_next),
                "hasPreviousPage" => ResolvedValue::leaf(false),
                "startCursor" => opt_str(start.as_deref()),
                "endCursor" => opt_str(end.as_deref()),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Orders(ctx, page) => Ok(match field {
                "nodes" => ResolvedValue::list(
                    page.items
                        .iter()
                        .map(|(o, _)| ResolvedValue::object(Obj::Order(ctx, o))),
                ),
                "edges" => ResolvedValue::list(
                    page.items
                        .iter()
                        .map(|(o, c)| ResolvedValue::object(Obj::OrderEdge(ctx, o, c.clone()))),
                ),
                "pageInfo" => page_info(page),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::OrderEdge(ctx, order, cursor) => Ok(match field {
                "cursor" => ResolvedValue::leaf(cursor.as_str()),
                "node" => ResolvedValue::object(Obj::Order(ctx, order)),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Order(ctx, order) => order::resolve_order(ctx, order, info),
            Self::Lines(ctx, order, page) => {
                Ok(match field {
                    "nodes" => ResolvedValue::list(
                        page.items
                            .iter()
                            .map(|(l, _)| ResolvedValue::object(Obj::Line(ctx, order, l))),
                    ),
                    "edges" => ResolvedValue::list(page.items.iter().map(|(l, c)| {
                        ResolvedValue::object(Obj::LineEdge(ctx, order, l, c.clone()))
                    })),
                    "pageInfo" => page_info(page),
                    _ => return Err(self.unknown_field_error(info)),
                })
            }
            Self::LineEdge(ctx, order, line, cursor) => Ok(match field {
                "cursor" => ResolvedValue::leaf(cursor.as_str()),
                "node" => ResolvedValue::object(Obj::Line(ctx, order, line)),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Line(ctx, order, line) => order::resolve_line(ctx, order, line, info),
            Self::MoneyBag(minor, shop, presentment) => Ok(match field {
                "shopMoney" => ResolvedValue::object(Obj::Money(*minor, shop)),
                "presentmentMoney" => ResolvedValue::object(Obj::Money(
                    presentment_minor(*minor, shop, presentment),
                    presentment,
                )),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Money(minor, currency) => Ok(match field {
                "amount" => ResolvedValue::leaf(decimal(*minor, currency)),
                "currencyCode" => ResolvedValue::leaf(*currency),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Customer(ctx, c) => Ok(match field {
                "id" => ResolvedValue::leaf(format!("gid://shopify/Customer/{}", c.id)),
                "firstName" => protected(ctx, opt_str(c.first_name.as_deref()))?,
                "lastName" => protected(ctx, opt_str(c.last_name.as_deref()))?,
                "defaultEmailAddress" => protected(
                    ctx,
                    ResolvedValue::nullable_object(c.email.as_deref().map(Obj::Email)),
                )?,
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Email(email) => Ok(match field {
                "emailAddress" => ResolvedValue::leaf(*email),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Address(ctx, a, index) => Ok(match field {
                "id" => ResolvedValue::leaf(format!("gid://shopify/MailingAddress/{index}")),
                "name" => protected(ctx, opt_str(a.name.as_deref()))?,
                "address1" => protected(ctx, opt_str(a.address1.as_deref()))?,
                "address2" => protected(ctx, opt_str(a.address2.as_deref()))?,
                "city" => opt_str(a.city.as_deref()),
                "province" => opt_str(a.province.as_deref()),
                "provinceCode" => opt_str(a.province_code.as_deref()),
                "zip" => protected(ctx, opt_str(a.zip.as_deref()))?,
                "country" => opt_str(a.country.as_deref()),
                "countryCodeV2" => opt_str(a.country_code),
                "phone" => protected(ctx, opt_str(a.phone.as_deref()))?,
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Product(p) => Ok(match field {
                "id" => ResolvedValue::leaf(format!("gid://shopify/Product/{}", p.id)),
                "title" => ResolvedValue::leaf(&*p.title),
                _ => return Err(self.unknown_field_error(info)),
            }),
            Self::Variant(p) => Ok(match field {
                "id" => {
                    ResolvedValue::leaf(format!("gid://shopify/ProductVariant/{}", p.variant_id))
                }
                "title" => {
                    ResolvedValue::leaf(p.variant_title.as_deref().unwrap_or("Default Title"))
                }
                _ => return Err(self.unknown_field_error(info)),
            }),
        }
    }
}

fn page_info<'a, T>(page: &Page<T>) -> ResolvedValue<'a> {
    ResolvedValue::object(Obj::PageInfo {
        has_next: page.has_next,
        start: page.items.first().map(|(_, c)| c.clone()),
        end: page.items.last().map(|(_, c)| c.clone()),
    })
}

fn resolve_query<'a>(
    ctx: &'a Ctx<'a>,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    if let Some(resolved) = bulk::resolve::query_field(ctx, info) {
        return resolved;
    }
    Ok(match info.field_name() {
        "shop" => ResolvedValue::object(Obj::Shop(ctx)),
        "currentAppInstallation" => ResolvedValue::object(Obj::App(ctx)),
        "orders" if ctx.export.is_some() => {
            let items = ctx.export.unwrap_or_default();
            let page = Page {
                items: items.iter().map(|o| (*o, String::new())).collect(),
                has_next: false,
            };
            ResolvedValue::object(Obj::Orders(ctx, page))
        }
        "orders" => {
            let first = page_size(info)?;
            let filter = Filter::parse(arg_str(info, "query").unwrap_or_default()).map_err(err)?;
            let key = SortKey::parse(arg_str(info, "sortKey").unwrap_or("PROCESSED_AT"));
            let reverse = info
                .arguments()
                .get("reverse")
                .and_then(JsonValue::as_bool)
                .unwrap_or(false);
            let page = ctx
                .store
                .list(
                    &filter,
                    key,
                    reverse,
                    arg_str(info, "after"),
                    first,
                    ctx.vis,
                )
                .map_err(err)?;
            ResolvedValue::object(Obj::Orders(ctx, page))
        }
        "ordersCount" => {
            let filter = Filter::parse(arg_str(info, "query").unwrap_or_default()).map_err(err)?;
            let count = ctx.store.count(&filter, ctx.vis);
            // `limit: null` lifts the cap; the default caps at 10,000 and says "at least".
            let limit = match info.arguments().get("limit") {
                Some(JsonValue::Null) => usize::MAX,
                Some(v) => v
                    .as_u64()
                    .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)),
                None => 10_000,
            };
            ResolvedValue::object(Obj::Count(count.min(limit), count <= limit))
        }
        "order" | "node" => {
            let id = arg_str(info, "id").unwrap_or_default();
            ResolvedValue::nullable_object(ctx.order(id).map(|o| Obj::Order(ctx, o)))
        }
        "nodes" => {
            let ids = info
                .arguments()
                .get("ids")
                .and_then(JsonValue::as_array)
                .cloned()
                .unwrap_or_default();
            if ids.len() > MAX_PAGE as usize {
                return Err(err(format!(
                    "You can only request {MAX_PAGE} nodes at a time."
                )));
            }
            ResolvedValue::list(ids.into_iter().map(move |id| {
                ResolvedValue::nullable_object(
                    id.as_str()
                        .and_then(|gid| ctx.order(gid))
                        .map(|o| Obj::Order(ctx, o)),
                )
            }))
        }
        _ => {
            return Err(err(format!(
                "Field '{}' doesn't exist on type 'QueryRoot'",
                info.field_name()
            )));
        }
    })
}

#[path = "resolve_order.rs"]
mod order;
