//! The GraphQL schema the emulator serves: a hand-written subset of Shopify's Admin API 2026-04
//! (names and types only), and the project's extract of Shopify's own schema, which every document
//! is validated against too.

use std::sync::OnceLock;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;

/// The subset of Shopify's Admin schema the emulator executes, written from the API notes.
///
/// A test checks that every type, field, argument and enum value here exists in Shopify's
/// published schema with the same type.
pub const SERVED_SDL: &str = r"
schema { query: QueryRoot }

scalar DateTime
scalar Decimal
scalar UnsignedInt64

interface Node { id: ID! }

enum OrderSortKeys {
  CREATED_AT CURRENT_TOTAL_PRICE CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS ID
  ORDER_NUMBER PO_NUMBER PROCESSED_AT RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT
}
enum CurrencyCode { USD EUR GBP JPY CAD }
enum CountryCode { US JP IL DE GB FR }
enum OrderDisplayFinancialStatus {
  PENDING AUTHORIZED PARTIALLY_PAID PARTIALLY_REFUNDED VOIDED PAID REFUNDED EXPIRED
}
enum OrderDisplayFulfillmentStatus {
  UNFULFILLED PARTIALLY_FULFILLED FULFILLED RESTOCKED PENDING_FULFILLMENT OPEN IN_PROGRESS ON_HOLD
  SCHEDULED REQUEST_DECLINED
}
enum CountPrecision { EXACT AT_LEAST }

type QueryRoot {
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: OrderSortKeys = PROCESSED_AT, query: String, savedSearchId: ID): OrderConnection!
  order(id: ID!): Order
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  ordersCount(query: String, savedSearchId: ID, limit: Int = 10000): Count
  shop: Shop!
  currentAppInstallation: AppInstallation!
}

type Shop implements Node {
  id: ID!
  name: String!
  myshopifyDomain: String!
  ianaTimezone: String!
  currencyCode: CurrencyCode!
  orderNumberFormatPrefix: String!
  orderNumberFormatSuffix: String!
}

type AppInstallation implements Node {
  id: ID!
  accessScopes: [AccessScope!]!
}

type AccessScope {
  handle: String!
  description: String!
}

type Count {
  count: Int!
  precision: CountPrecision!
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type OrderConnection {
  edges: [OrderEdge!]!
  nodes: [Order!]!
  pageInfo: PageInfo!
}

type OrderEdge {
  cursor: String!
  node: Order!
}

type LineItemConnection {
  edges: [LineItemEdge!]!
  nodes: [LineItem!]!
  pageInfo: PageInfo!
}

type LineItemEdge {
  cursor: String!
  node: LineItem!
}

type Order implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  number: Int!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  closedAt: DateTime
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  email: String
  phone: String
  test: Boolean!
  tags: [String!]!
  note: String
  sourceName: String
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  totalRefundedSet: MoneyBag!
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): LineItemConnection!
}

type LineItem implements Node {
  id: ID!
  title: String!
  variantTitle: String
  sku: String
  vendor: String
  quantity: Int!
  currentQuantity: Int!
  originalUnitPriceSet: MoneyBag!
  discountedTotalSet(withCodeDiscounts: Boolean = false): MoneyBag!
  product: Product
  variant: ProductVariant
}

type Product implements Node {
  id: ID!
  title: String!
}

type ProductVariant implements Node {
  id: ID!
  title: String!
}

type Customer implements Node {
  id: ID!
  firstName: String
  lastName: String
  defaultEmailAddress: CustomerEmailAddress
}

type CustomerEmailAddress {
  emailAddress: String!
}

type MailingAddress implements Node {
  id: ID!
  name: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  zip: String
  country: String
  countryCodeV2: CountryCode
  phone: String
}

type MoneyBag {
  shopMoney: MoneyV2!
  presentmentMoney: MoneyV2!
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}
";

/// The served schema ([`SERVED_SDL`] extended by the bulk operations' SDL), parsed
/// once.
///
/// # Panics
/// Never in practice: a test checks that the served schema is valid.
#[must_use]
pub fn served() -> &'static Valid<Schema> {
    static SERVED: OnceLock<Valid<Schema>> = OnceLock::new();
    SERVED.get_or_init(|| {
        Schema::builder()
            .parse(SERVED_SDL, "emulator.graphql")
            .parse(super::bulk::SDL, "emulator_bulk.graphql")
            .build()
            .and_then(Schema::validate)
            .expect("the emulator's own schema is valid")
    })
}

/// The extract of Shopify's Admin schema (`references/shopify`), parsed once.
///
/// It holds what shopsync's documents and this emulator use, as Shopify declares it; a document
/// that validates against it validates against Shopify's full schema.
///
/// # Panics
/// Never in practice: the tests parse it, and the drift test regenerates it from the full schema.
#[must_use]
pub fn reference() -> &'static Valid<Schema> {
    static REFERENCE: OnceLock<Valid<Schema>> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let extract = &crate::sandbox::references::SHOPIFY_ADMIN;
        Schema::parse_and_validate(extract.text, extract.path)
            .expect("the extract of Shopify's schema is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use apollo_compiler::schema::ExtendedType;

    /// What a missing name means: the emulator serves something Shopify lacks, or the extract
    /// predates it.
    const STALE: &str = "not in the extract of Shopify's schema (references/shopify); if Shopify \
                         has it, refresh: cargo run --example refresh_references";

    #[test]
    fn every_served_type_and_field_exists_in_shopifys_schema_with_the_same_type() {
        let real = reference();
        let served = served();
        let mut checked = 0;
        for (name, ty) in &served.types {
            if ty.is_built_in() {
                continue;
            }
            let theirs = real
                .types
                .get(name)
                .unwrap_or_else(|| panic!("type {name} is {STALE}"));
            match (ty, theirs) {
                (ExtendedType::Object(ours), ExtendedType::Object(theirs)) => {
                    for iface in &ours.implements_interfaces {
                        assert!(
                            theirs.implements_interfaces.contains(iface),
                            "{name}: {iface}"
                        );
                    }
                    for (field_name, field) in &ours.fields {
                        let their = theirs
                            .fields
                            .get(field_name)
                            .unwrap_or_else(|| panic!("{name}.{field_name} is {STALE}"));
                        assert_eq!(field.ty, their.ty, "{name}.{field_name}");
                        for arg in &field.arguments {
                            let their_arg = their
                                .arguments
                                .iter()
                                .find(|a| a.name == arg.name)
                                .unwrap_or_else(|| {
                                    panic!("{name}.{field_name}({}) is {STALE}", arg.name)
                                });
                            assert_eq!(arg.ty, their_arg.ty, "{name}.{field_name}({})", arg.name);
                            assert_eq!(
                                arg.default_value.as_ref().map(ToString::to_string),
                                their_arg.default_value.as_ref().map(ToString::to_string),
                                "{name}.{field_name}({}) default",
                                arg.name
                            );
                        }
                        checked += 1;
                    }
                }
                (ExtendedType::Interface(ours), ExtendedType::Interface(theirs)) => {
                    for (field_name, field) in &ours.fields {
                        assert_eq!(
                            field.ty, theirs.fields[field_name].ty,
                            "{name}.{field_name}"
                        );
                    }
                }
                (ExtendedType::Enum(ours), ExtendedType::Enum(theirs)) => {
                    for value in ours.values.keys() {
                        assert!(theirs.values.contains_key(value), "{name}.{value}");
                    }
                }
                (ExtendedType::Scalar(_), ExtendedType::Scalar(_)) => {}
                _ => panic!("{name} is a different kind of type in Shopify's schema"),
            }
        }
        assert_eq!(
            real.schema_definition
                .query
                .as_ref()
                .map(|n| n.name.as_str()),
            Some("QueryRoot")
        );
        assert!(checked > 80, "only {checked} fields checked");
    }

    #[test]
    fn the_check_catches_a_wrong_type() {
        let real = reference();
        let order = real.get_object("Order").unwrap();
        // `number` is `Int!` in Shopify's schema: a served `String` would be caught.
        assert_ne!(order.fields["number"].ty.to_string(), "String");
        assert_eq!(order.fields["number"].ty.to_string(), "Int!");
    }
}
