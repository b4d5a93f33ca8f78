//! What a set of roots reaches in Shopify's schema: a field brings its arguments' types and its
//! return type; an input object comes whole (a document may set any of its fields); an enum comes
//! with all its values; an object or interface comes with only the fields some root names, so the
//! extract stays small. An object keeps `implements I` when `I` is in the extract, and then gets
//! `I`'s fields too, so fragments on interfaces validate as they do against the full schema.

use std::collections::{BTreeMap, BTreeSet};

use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Schema};

/// What the extract holds so far.
pub struct Reach<'s> {
    /// Shopify's full schema.
    pub full: &'s Valid<Schema>,
    /// Included types, each with the first thing that reached it (for error messages).
    pub types: BTreeMap<Name, String>,
    /// Included fields of objects and interfaces.
    pub fields: BTreeMap<Name, BTreeSet<Name>>,
}

impl<'s> Reach<'s> {
    /// Nothing reached yet.
    pub fn new(full: &'s Valid<Schema>) -> Self {
        Self {
            full,
            types: BTreeMap::new(),
            fields: BTreeMap::new(),
        }
    }

    fn definition(&self, name: &str, why: &str) -> Result<&'s ExtendedType, String> {
        self.full
            .types
            .get(name)
            .ok_or_else(|| format!("{why}: type {name} is not in Shopify's schema"))
    }

    /// A type, and for an input object every type its fields use.
    pub fn ty(&mut self, name: &Name, why: &str) -> Result<(), String> {
        let def = self.definition(name, why)?;
        if def.is_built_in() || self.types.contains_key(name) {
            return Ok(());
        }
        self.types.insert(name.clone(), why.to_owned());
        if let ExtendedType::InputObject(input) = def {
            for field in input.fields.values() {
                self.ty(
                    field.ty.inner_named_type(),
                    &format!("{name}.{}", field.name),
                )?;
            }
        }
        Ok(())
    }

    /// One field of an object or interface, with every argument (as Shopify declares them).
    fn field(&mut self, ty: &Name, name: &Name, why: &str) -> Result<(), String> {
        let def = match self.definition(ty, why)? {
            ExtendedType::Object(object) => object.fields.get(name),
            ExtendedType::Interface(interface) => interface.fields.get(name),
            _ => return Err(format!("{why}: {ty} has no fields in Shopify's schema")),
        }
        .ok_or_else(|| format!("{why}: {ty}.{name} is not in Shopify's schema"))?;
        if !self
            .fields
            .entry(ty.clone())
            .or_default()
            .insert(name.clone())
        {
            return Ok(());
        }
        self.ty(ty, why)?;
        let here = format!("{ty}.{name}");
        for arg in &def.arguments {
            self.ty(arg.ty.inner_named_type(), &here)?;
        }
        self.ty(def.ty.inner_named_type(), &here)
    }

    /// A root as written in the list: `Type.field`, `Type.*` (every field) or `Type`.
    pub fn root(&mut self, root: &str, why: &str) -> Result<(), String> {
        let name = |s: &str| Name::new(s).map_err(|e| format!("{why}: root {root:?}: {e}"));
        match root.split_once('.') {
            Some((ty, "*")) => {
                let ty = name(ty)?;
                let fields: Vec<Name> = match self.definition(&ty, why)? {
                    ExtendedType::Object(object) => object.fields.keys().cloned().collect(),
                    ExtendedType::Interface(interface) => {
                        interface.fields.keys().cloned().collect()
                    }
                    _ => return Err(format!("{why}: {ty}.* names a type without fields")),
                };
                for field in &fields {
                    self.field(&ty, field, why)?;
                }
                Ok(())
            }
            Some((ty, field)) => self.field(&name(ty)?, &name(field)?, why),
            None => self.ty(&name(root)?, why),
        }
    }

    /// Everything a schema declares (the emulator's own): each field of each object and
    /// interface, and every other type.
    pub fn schema(&mut self, schema: &Schema, why: &str) -> Result<(), String> {
        for (name, ty) in &schema.types {
            match ty {
                _ if ty.is_built_in() => {}
                ExtendedType::Object(object) => {
                    for field in object.fields.keys() {
                        self.field(name, field, why)?;
                    }
                }
                ExtendedType::Interface(interface) => {
                    for field in interface.fields.keys() {
                        self.field(name, field, why)?;
                    }
                }
                _ => self.ty(name, why)?,
            }
        }
        Ok(())
    }

    /// Every field a document selects, and its variables' types.
    pub fn document(&mut self, text: &str) -> Result<(), String> {
        let doc = ExecutableDocument::parse_and_validate(self.full, text, "document.graphql")
            .map_err(|e| {
                format!(
                    "a document is invalid against Shopify's schema: {}",
                    e.errors
                )
            })?;
        for op in doc.operations.iter() {
            let why = format!("query {}", op.name.as_ref().map_or("", Name::as_str));
            for var in &op.variables {
                self.ty(var.ty.inner_named_type(), &why)?;
            }
            self.selections(&op.selection_set, &why)?;
        }
        for fragment in doc.fragments.values() {
            let why = format!("fragment {}", fragment.name);
            self.selections(&fragment.selection_set, &why)?;
        }
        Ok(())
    }

    fn selections(&mut self, set: &SelectionSet, why: &str) -> Result<(), String> {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    if !field.name.starts_with("__") {
                        self.field(&set.ty, &field.name, why)?;
                    }
                    self.selections(&field.selection_set, why)?;
                }
                Selection::InlineFragment(inline) => self.selections(&inline.selection_set, why)?,
                // Fragments are walked on their own.
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    /// The interfaces of `ty` that are in the extract, in Shopify's order.
    pub fn interfaces(&self, ty: &ExtendedType) -> Vec<Name> {
        let declared = match ty {
            ExtendedType::Object(object) => &object.implements_interfaces,
            ExtendedType::Interface(interface) => &interface.implements_interfaces,
            _ => return Vec::new(),
        };
        declared
            .iter()
            .filter(|i| self.types.contains_key(&i.name))
            .map(|i| i.name.clone())
            .collect()
    }

    /// Gives every object and interface the fields of the included interfaces it implements,
    /// until nothing changes (a field added may reach another interface).
    pub fn close_interfaces(&mut self) -> Result<(), String> {
        loop {
            let mut missing = Vec::new();
            for (name, have) in &self.fields {
                for interface in self.interfaces(&self.full.types[name]) {
                    for field in self.fields.get(&interface).into_iter().flatten() {
                        if !have.contains(field) {
                            missing.push((name.clone(), field.clone(), interface.clone()));
                        }
                    }
                }
            }
            if missing.is_empty() {
                return Ok(());
            }
            for (ty, field, interface) in missing {
                self.field(&ty, &field, &format!("{ty} implements {interface}"))?;
            }
        }
    }

    /// Checks that every included object and interface has a field and every union a member.
    pub fn check_complete(&self) -> Result<(), String> {
        for (name, why) in &self.types {
            let empty = match &self.full.types[name] {
                ExtendedType::Object(_) | ExtendedType::Interface(_) => {
                    !self.fields.contains_key(name)
                }
                ExtendedType::Union(union) => !union
                    .members
                    .iter()
                    .any(|m| self.fields.contains_key(&m.name)),
                _ => false,
            };
            if empty {
                return Err(format!(
                    "{why} reaches {name}, but no root names a field of it (or of a member): add \
                     \"{name}.*\" or \"{name}.<field>\" to SHOPIFY_ROOTS"
                ));
            }
        }
        Ok(())
    }
}
