//! The resolvers of an `Order` and of its `LineItem`s.

use super::*;

pub(super) fn resolve_order<'a>(
    ctx: &'a Ctx<'a>,
    o: &'a OrderData,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let shop = &ctx.store.data.shop;
    Ok(match info.field_name() {
        "id" => ResolvedValue::leaf(format!("gid://shopify/Order/{}", o.id)),
        "legacyResourceId" => ResolvedValue::leaf(o.id.to_string()),
        "name" => ResolvedValue::leaf(format!("{}{}{}", shop.prefix, o.number, shop.suffix)),
        "number" => ResolvedValue::leaf(o.number),
        "createdAt" | "processedAt" => time(o.created_at),
        "updatedAt" => time(o.updated_at),
        "cancelledAt" | "closedAt" => o.cancelled_at.map_or_else(ResolvedValue::null, time),
        "displayFinancialStatus" => opt_str(o.financial_status),
        "displayFulfillmentStatus" => ResolvedValue::leaf(o.fulfillment_status),
        "email" => protected(ctx, opt_str(o.email.as_deref()))?,
        "phone" => protected(ctx, opt_str(o.phone.as_deref()))?,
        "test" => ResolvedValue::leaf(o.test),
        "tags" => ResolvedValue::list(o.tags.iter().map(|t| ResolvedValue::leaf(&**t))),
        "note" => opt_str(o.note.as_deref()),
        "sourceName" => ResolvedValue::leaf("web"),
        "currencyCode" => ResolvedValue::leaf(ctx.store.data.shop.currency.as_str()),
        "presentmentCurrencyCode" => ResolvedValue::leaf(o.presentment_currency),
        "customer" => ResolvedValue::nullable_object(
            o.customer
                .and_then(|i| ctx.store.data.customers.get(i as usize))
                .map(|c| Obj::Customer(ctx, c)),
        ),
        "shippingAddress" | "billingAddress" => {
            ResolvedValue::nullable_object(o.shipping.and_then(|i| {
                ctx.store
                    .data
                    .addresses
                    .get(i as usize)
                    .map(|a| Obj::Address(ctx, a, i))
            }))
        }
        "totalPriceSet" => bag(ctx, o, o.total_minor()),
        "currentTotalPriceSet" => bag(ctx, o, o.current_total_minor()),
        "totalRefundedSet" => bag(ctx, o, o.refunded_minor),
        "lineItems" => {
            let first = if ctx.export.is_some() {
                o.lines.len()
            } else {
                page_size(info)?
            };
            let start = match arg_str(info, "after") {
                Some(cursor) => {
                    let (id, index) = decode_cursor(cursor).map_err(err)?;
                    let index = usize::try_from(index).map_err(|_| err("Invalid cursor"))?;
                    if o.lines.get(index).map(|l| l.id) != Some(id) {
                        return Err(err(format!("Invalid cursor: {cursor}")));
                    }
                    index + 1
                }
                None => 0,
            };
            let end = (start + first).min(o.lines.len());
            let items = (start..end)
                .map(|i| (&o.lines[i], encode_cursor(o.lines[i].id, i as i64)))
                .collect();
            let page = Page {
                items,
                has_next: end < o.lines.len(),
            };
            ResolvedValue::object(Obj::Lines(ctx, o, page))
        }
        _ => {
            return Err(err(format!(
                "Field '{}' doesn't exist on type 'Order'",
                info.field_name()
            )));
        }
    })
}

pub(super) fn resolve_line<'a>(
    ctx: &'a Ctx<'a>,
    o: &'a OrderData,
    line: &'a LineData,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let product = ctx.store.data.products.get(line.product as usize);
    let live = product.filter(|p| !p.deleted);
    Ok(match info.field_name() {
        "id" => ResolvedValue::leaf(format!("gid://shopify/LineItem/{}", line.id)),
        "title" => ResolvedValue::leaf(product.map_or("Deleted product", |p| &*p.title)),
        "variantTitle" => opt_str(product.and_then(|p| p.variant_title.as_deref())),
        "sku" => opt_str(product.and_then(|p| p.sku.as_deref())),
        "vendor" => opt_str(product.and_then(|p| p.vendor.as_deref())),
        "quantity" => ResolvedValue::leaf(line.quantity),
        "currentQuantity" => ResolvedValue::leaf(line.current_quantity),
        "originalUnitPriceSet" => bag(ctx, o, line.unit_minor),
        "discountedTotalSet" => bag(ctx, o, line.discounted_minor),
        "product" => ResolvedValue::nullable_object(live.map(Obj::Product)),
        "variant" => ResolvedValue::nullable_object(live.map(Obj::Variant)),
        _ => {
            return Err(err(format!(
                "Field '{}' doesn't exist on type 'LineItem'",
                info.field_name()
            )));
        }
    })
}
