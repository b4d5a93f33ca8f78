//! The sheet's default columns: their header names, their order, and the order field behind each.
//!
//! A row-1 header equal (trimmed) to one of these names is shopsync's; every other column belongs to
//! a person. Where each owned column sits in a given tab is [`super::header`]'s business.

/// One of shopsync's own columns (DESIGN.md section 3, "The sheet"; fields in section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// The order name, such as `#1001`.
    Order,
    /// The order's numeric ID (`legacyResourceId`), as text; first half of the row key.
    OrderId,
    /// The line item's numeric ID (gid tail), as text; second half of the row key.
    LineItemId,
    /// `createdAt` in the shop's time zone.
    CreatedAt,
    /// `updatedAt` in the shop's time zone.
    UpdatedAt,
    /// `displayFinancialStatus`.
    FinancialStatus,
    /// `displayFulfillmentStatus`.
    FulfillmentStatus,
    /// `cancelledAt` in the shop's time zone, empty when not cancelled.
    CancelledAt,
    /// The customer's first and last name, else the shipping name.
    Customer,
    /// `email` (protected customer data).
    Email,
    /// `phone`, else the shipping phone (protected customer data).
    Phone,
    /// `shippingAddress` on one line (protected customer data).
    ShippingAddress,
    /// The line item's `title`.
    Product,
    /// The line item's `variantTitle`.
    Variant,
    /// The line item's `sku`.
    Sku,
    /// The line item's `currentQuantity` (0 once an edit removed it).
    Quantity,
    /// `originalUnitPriceSet.shopMoney`.
    UnitPrice,
    /// `discountedTotalSet.shopMoney`.
    LineTotal,
    /// The order's `currentTotalPriceSet.shopMoney`, so refunds show.
    OrderTotal,
    /// The order's `currencyCode`.
    Currency,
    /// The order's tags joined by `", "`.
    Tags,
    /// The order's `note`.
    Note,
    /// The order's `test` flag.
    Test,
}

/// How many default columns there are.
pub const COLUMN_COUNT: usize = 23;

/// The columns that together identify a row: (`Order ID`, `Line Item ID`).
pub const KEY_COLUMNS: [Column; 2] = [Column::OrderId, Column::LineItemId];

impl Column {
    /// Every default column, in the order a fresh sheet shows them.
    pub const ALL: [Column; COLUMN_COUNT] = [
        Column::Order,
        Column::OrderId,
        Column::LineItemId,
        Column::CreatedAt,
        Column::UpdatedAt,
        Column::FinancialStatus,
        Column::FulfillmentStatus,
        Column::CancelledAt,
        Column::Customer,
        Column::Email,
        Column::Phone,
        Column::ShippingAddress,
        Column::Product,
        Column::Variant,
        Column::Sku,
        Column::Quantity,
        Column::UnitPrice,
        Column::LineTotal,
        Column::OrderTotal,
        Column::Currency,
        Column::Tags,
        Column::Note,
        Column::Test,
    ];

    /// The header text of this column in row 1.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Column::Order => "Order",
            Column::OrderId => "Order ID",
            Column::LineItemId => "Line Item ID",
            Column::CreatedAt => "Created At",
            Column::UpdatedAt => "Updated At",
            Column::FinancialStatus => "Financial Status",
            Column::FulfillmentStatus => "Fulfillment Status",
            Column::CancelledAt => "Cancelled At",
            Column::Customer => "Customer",
            Column::Email => "Email",
            Column::Phone => "Phone",
            Column::ShippingAddress => "Shipping Address",
            Column::Product => "Product",
            Column::Variant => "Variant",
            Column::Sku => "SKU",
            Column::Quantity => "Quantity",
            Column::UnitPrice => "Unit Price",
            Column::LineTotal => "Line Total",
            Column::OrderTotal => "Order Total",
            Column::Currency => "Currency",
            Column::Tags => "Tags",
            Column::Note => "Note",
            Column::Test => "Test",
        }
    }

    /// The column's position among the defaults (0 for `Order`), which is also its index in a
    /// row's cells.
    #[must_use]
    pub const fn position(self) -> usize {
        self as usize
    }

    /// The owned column a row-1 header names, if any: the text must equal a default name once trimmed.
    #[must_use]
    pub fn from_header(text: &str) -> Option<Column> {
        let text = text.trim();
        Column::ALL.into_iter().find(|column| column.name() == text)
    }

    /// Whether the column is half of the row key.
    #[must_use]
    pub const fn is_key(self) -> bool {
        matches!(self, Column::OrderId | Column::LineItemId)
    }
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_the_documented_order() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "Order",
                "Order ID",
                "Line Item ID",
                "Created At",
                "Updated At",
                "Financial Status",
                "Fulfillment Status",
                "Cancelled At",
                "Customer",
                "Email",
                "Phone",
                "Shipping Address",
                "Product",
                "Variant",
                "SKU",
                "Quantity",
                "Unit Price",
                "Line Total",
                "Order Total",
                "Currency",
                "Tags",
                "Note",
                "Test",
            ]
        );
    }

    #[test]
    fn position_matches_the_index_in_all() {
        for (i, column) in Column::ALL.iter().enumerate() {
            assert_eq!(column.position(), i, "{column}");
        }
    }

    #[test]
    fn headers_match_trimmed_and_exactly() {
        let cases = [
            ("Order ID", Some(Column::OrderId)),
            ("  Order ID \t", Some(Column::OrderId)),
            ("order id", None),
            ("SKU", Some(Column::Sku)),
            ("Sku", None),
            ("My notes", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(Column::from_header(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_column_displays_as_its_header() {
        for column in Column::ALL {
            assert_eq!(column.to_string(), column.name());
        }
        assert_eq!(format!("[{}]", Column::Sku), "[SKU]");
    }

    #[test]
    fn only_the_two_ids_are_key_columns() {
        let keys: Vec<Column> = Column::ALL.into_iter().filter(|c| c.is_key()).collect();
        assert_eq!(keys, KEY_COLUMNS);
    }
}
