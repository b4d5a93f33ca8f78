//! The Shopify extract: the part of the Admin schema that a set of roots reaches (see `reach`),
//! printed as SDL with names and types only.

use std::fmt::Write as _;

use apollo_compiler::ast::{
    DirectiveList, DirectiveLocation, FieldDefinition, InputValueDefinition,
};
use apollo_compiler::schema::{Component, ExtendedType};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};

use super::reach::Reach;

/// The extract's first lines.
const HEADER: &str = "\
# An extract of Shopify's Admin GraphQL schema: the types, fields, arguments and enum values that
# shopsync's documents and its Shopify emulator use, names and types only (no descriptions;
# `@deprecated` keeps the flag, not the reason). Made from the full schema by
# `cargo run --example refresh_references`; do not edit: `cargo test` compares it with a fresh
# extract whenever the full files are present.
";

/// Extracts from `full` what the emulator's `served` schema, the `documents` and the `roots`
/// reach, as SDL that parses and validates.
///
/// # Errors
/// A root, served field or document that Shopify's schema does not have, a type reached without
/// any of its fields named, or (a bug) an extract that does not validate.
pub fn extract(
    full: &Valid<Schema>,
    served: &Schema,
    documents: &[&str],
    roots: &[&str],
) -> Result<String, String> {
    let mut reach = Reach::new(full);
    reach.schema(served, "the Shopify emulator's schema")?;
    for document in documents {
        reach.document(document)?;
    }
    for root in roots {
        reach.root(root, "SHOPIFY_ROOTS")?;
    }
    // Directives a document may carry (`@idempotent`); those on the schema itself say nothing to a
    // validator and are left out.
    let directives: Vec<_> = full
        .directive_definitions
        .values()
        .filter(|d| !d.is_built_in() && d.locations.iter().all(|l| is_executable(*l)))
        .collect();
    for directive in &directives {
        for arg in &directive.arguments {
            reach.ty(arg.ty.inner_named_type(), &format!("@{}", directive.name))?;
        }
    }
    reach.close_interfaces()?;
    reach.check_complete()?;

    let mut out = String::from(HEADER);
    out.push_str("\nschema {\n");
    let roots = &full.schema_definition;
    for (op, root) in [("query", &roots.query), ("mutation", &roots.mutation)] {
        if let Some(root) = root
            && reach.types.contains_key(&root.name)
        {
            let _ = writeln!(out, "  {op}: {}", root.name);
        }
    }
    out.push_str("}\n");
    for directive in &directives {
        let args = arguments(&directive.arguments);
        let locations: Vec<String> = directive
            .locations
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(
            out,
            "\ndirective @{}{args} on {}",
            directive.name,
            locations.join(" | ")
        );
    }
    for name in reach.types.keys() {
        print_type(&mut out, &reach, name);
    }
    Schema::parse_and_validate(&out, "extract.graphql")
        .map_err(|e| format!("the extract is not a valid schema (a bug in the extractor): {e}"))?;
    Ok(out)
}

fn is_executable(location: DirectiveLocation) -> bool {
    use DirectiveLocation as L;
    matches!(
        location,
        L::Query
            | L::Mutation
            | L::Subscription
            | L::Field
            | L::FragmentDefinition
            | L::FragmentSpread
            | L::InlineFragment
            | L::VariableDefinition
    )
}

fn print_type(out: &mut String, reach: &Reach<'_>, name: &Name) {
    let ty = &reach.full.types[name];
    let implements = reach.interfaces(ty);
    let implements = if implements.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = implements.iter().map(Name::as_str).collect();
        format!(" implements {}", names.join(" & "))
    };
    let keep = |field: &Name| reach.fields.get(name).is_some_and(|f| f.contains(field));
    match ty {
        ExtendedType::Scalar(_) => {
            let _ = writeln!(out, "\nscalar {name}");
        }
        ExtendedType::Object(object) => {
            let _ = writeln!(out, "\ntype {name}{implements} {{");
            print_fields(out, object.fields.values().filter(|f| keep(&f.name)));
            out.push_str("}\n");
        }
        ExtendedType::Interface(interface) => {
            let _ = writeln!(out, "\ninterface {name}{implements} {{");
            print_fields(out, interface.fields.values().filter(|f| keep(&f.name)));
            out.push_str("}\n");
        }
        ExtendedType::Union(union) => {
            let members: Vec<&str> = union
                .members
                .iter()
                .filter(|m| reach.fields.contains_key(&m.name))
                .map(|m| m.name.as_str())
                .collect();
            let _ = writeln!(out, "\nunion {name} = {}", members.join(" | "));
        }
        ExtendedType::Enum(enumeration) => {
            let _ = writeln!(out, "\nenum {name} {{");
            for value in enumeration.values.values() {
                let _ = writeln!(out, "  {}{}", value.value, deprecation(&value.directives));
            }
            out.push_str("}\n");
        }
        ExtendedType::InputObject(input) => {
            let _ = writeln!(out, "\ninput {name} {{");
            for field in input.fields.values() {
                let _ = writeln!(out, "  {}", input_value(field));
            }
            out.push_str("}\n");
        }
    }
}

fn print_fields<'a>(
    out: &mut String,
    fields: impl Iterator<Item = &'a Component<FieldDefinition>>,
) {
    for field in fields {
        let _ = writeln!(
            out,
            "  {}{}: {}{}",
            field.name,
            arguments(&field.arguments),
            field.ty,
            deprecation(&field.directives)
        );
    }
}

fn arguments(args: &[Node<InputValueDefinition>]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let args: Vec<String> = args.iter().map(|a| input_value(a)).collect();
    format!("({})", args.join(", "))
}

fn input_value(value: &InputValueDefinition) -> String {
    let default = value
        .default_value
        .as_ref()
        .map_or_else(String::new, |d| format!(" = {d}"));
    format!(
        "{}: {}{default}{}",
        value.name,
        value.ty,
        deprecation(&value.directives)
    )
}

/// ` @deprecated` when deprecated: the flag without Shopify's reason (prose, like a description).
fn deprecation(directives: &DirectiveList) -> &'static str {
    if directives.get("deprecated").is_some() {
        " @deprecated"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
schema { query: QueryRoot mutation: Mutation }
"Restricted." directive @accessRestricted(reason: String = null) on FIELD_DEFINITION | OBJECT
"Idempotent." directive @idempotent(key: String!) on FIELD
scalar DateTime
"A node." interface Node { "Its ID." id: ID! }
interface Titled { title: String! }
"The root." type QueryRoot {
  "One order." order(id: ID!, "How." mode: Mode = FAST): Order
  node(id: ID!): Node
  shop: Shop! @deprecated(reason: "Use `shops` instead.")
  unused: Unused
}
type Mutation { run(input: RunInput!): Order }
input RunInput { "What." what: String!, nested: Nested }
input Nested { at: DateTime }
enum Mode { FAST SLOW @deprecated(reason: "Too slow.") }
type Order implements Node & Titled @accessRestricted {
  id: ID!
  title: String!
  createdAt: DateTime!
  other: Unused
}
type Shop implements Node { id: ID! name: String! }
type Unused { x: Int }
"#;

    fn full() -> Valid<Schema> {
        Schema::parse_and_validate(FULL, "full.graphql").unwrap()
    }

    fn emulator(sdl: &str) -> Schema {
        Schema::parse(sdl, "served.graphql").unwrap()
    }

    #[test]
    fn only_what_the_roots_reach_without_descriptions() {
        let served = emulator("type QueryRoot { node(id: ID!): Node } interface Node { id: ID! }");
        let doc = "query Q($id: ID!) { order(id: $id) { title } }";
        let out = extract(
            &full(),
            &served,
            &[doc],
            &["Mutation.run", "QueryRoot.shop", "Shop.*"],
        )
        .unwrap();
        let body = out.strip_prefix(HEADER).unwrap();
        assert_eq!(
            body,
            r"
schema {
  query: QueryRoot
  mutation: Mutation
}

directive @idempotent(key: String!) on FIELD

scalar DateTime

enum Mode {
  FAST
  SLOW @deprecated
}

type Mutation {
  run(input: RunInput!): Order
}

input Nested {
  at: DateTime
}

interface Node {
  id: ID!
}

type Order implements Node {
  id: ID!
  title: String!
}

type QueryRoot {
  order(id: ID!, mode: Mode = FAST): Order
  node(id: ID!): Node
  shop: Shop! @deprecated
}

input RunInput {
  what: String!
  nested: Nested
}

type Shop implements Node {
  id: ID!
  name: String!
}
"
        );
        // Order gets Node's `id` (it implements Node, which is in the extract); Titled, Unused,
        // Order.createdAt and every description and reason stay out.
        assert!(!out.contains("Titled") && !out.contains("Unused") && !out.contains("createdAt"));
    }

    #[test]
    fn what_shopify_lacks_is_named() {
        let served = emulator("type QueryRoot { orders: Int }");
        let err = extract(&full(), &served, &[], &[]).unwrap_err();
        assert!(
            err.contains("QueryRoot.orders is not in Shopify's schema"),
            "{err}"
        );

        let empty = emulator("scalar DateTime");
        let err = extract(&full(), &empty, &["{ shop { nme } }"], &[]).unwrap_err();
        assert!(err.contains("document is invalid"), "{err}");

        // A field reaching an object none of whose fields is named cannot make valid SDL.
        let err = extract(&full(), &empty, &[], &["QueryRoot.shop"]).unwrap_err();
        assert!(err.contains("\"Shop.*\""), "{err}");
    }
}
