//! The Google extracts: from a discovery document, the named methods and every schema their
//! requests and responses reach, in the document's own structure, without descriptions.
//!
//! Schemas are kept whole (every property), not cut to the properties shopsync sends: the
//! emulator's check then answers every request to these methods exactly as it would on the full
//! document, where a cut schema would refuse fields Google accepts.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Top-level keys kept: identity, where the API lives, and the global query parameters.
const TOP_LEVEL: &[&str] = &[
    "id",
    "name",
    "version",
    "revision",
    "rootUrl",
    "servicePath",
];

/// Keys of a method kept: everything but its description and media-upload details.
const METHOD: &[&str] = &[
    "id",
    "httpMethod",
    "path",
    "flatPath",
    "parameterOrder",
    "parameters",
    "request",
    "response",
    "scopes",
];

/// Keys that hold prose.
const PROSE: &[&str] = &["description", "enumDescriptions"];

/// Extracts `methods` (discovery ids such as `sheets.spreadsheets.get`) from `full`.
///
/// # Errors
/// A method or a referenced schema the document does not have.
pub fn extract(full: &Value, methods: &[&str]) -> Result<Value, String> {
    let mut out = Map::new();
    for key in TOP_LEVEL {
        if let Some(value) = full.get(*key) {
            out.insert((*key).to_owned(), value.clone());
        }
    }
    out.insert("parameters".to_owned(), named(&full["parameters"]));

    let mut resources = Value::Object(Map::new());
    let mut wanted = Vec::new();
    for id in methods {
        let (path, key, method) = find(&full["resources"], id, &mut Vec::new())
            .ok_or_else(|| format!("method {id} is not in the discovery document"))?;
        let kept: Map<String, Value> = METHOD
            .iter()
            .filter_map(|k| {
                let value = method.get(*k)?;
                let value = if *k == "parameters" {
                    named(value)
                } else {
                    value.clone()
                };
                Some(((*k).to_owned(), value))
            })
            .collect();
        parent_of(&mut resources, &path)["methods"][key.as_str()] = Value::Object(kept);
        for part in ["request", "response"] {
            if let Some(name) = method[part]["$ref"].as_str() {
                wanted.push(name.to_owned());
            }
        }
    }
    out.insert("resources".to_owned(), resources);

    let mut schemas = Map::new();
    let mut seen = BTreeSet::new();
    while let Some(name) = wanted.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = full["schemas"]
            .get(&name)
            .ok_or_else(|| format!("schema {name} is referenced but not defined"))?;
        let schema = strip(schema);
        refs(&schema, &mut wanted);
        schemas.insert(name, schema);
    }
    out.insert("schemas".to_owned(), Value::Object(schemas));
    Ok(Value::Object(out))
}

/// The resource object at `path` (`["spreadsheets", "values"]`), made on the way.
fn parent_of<'a>(resources: &'a mut Value, path: &[String]) -> &'a mut Value {
    let mut at = resources;
    for (depth, resource) in path.iter().enumerate() {
        if depth > 0 {
            at = &mut at["resources"];
        }
        at = &mut at[resource.as_str()];
    }
    at
}

/// Finds method `id`: the names of the resources leading to it, its key, and the method.
fn find<'a>(
    resources: &'a Value,
    id: &str,
    path: &mut Vec<String>,
) -> Option<(Vec<String>, String, &'a Value)> {
    for (name, resource) in resources.as_object()? {
        path.push(name.clone());
        if let Some(methods) = resource["methods"].as_object()
            && let Some((key, method)) = methods.iter().find(|(_, m)| m["id"] == id)
        {
            return Some((path.clone(), key.clone(), method));
        }
        if let Some(found) = find(&resource["resources"], id, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// A map of names (properties, parameters) to schemas: the names are kept whatever they are, even
/// a property called `description`.
fn named(map: &Value) -> Value {
    match map {
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(name, schema)| (name.clone(), strip(schema)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A schema or parameter without its prose.
fn strip(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !PROSE.contains(&key.as_str()))
                .map(|(key, value)| {
                    let value = if key == "properties" {
                        named(value)
                    } else {
                        strip(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

/// Every schema name a `$ref` in `value` points to.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(name)) => out.push(name.clone()),
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> Value {
        json!({
            "id": "demo:v1", "name": "demo", "version": "v1", "revision": "20260101",
            "rootUrl": "https://demo.googleapis.com/", "servicePath": "",
            "title": "Demo API", "description": "Prose.", "documentationLink": "https://x",
            "parameters": {"alt": {"type": "string", "enum": ["json"], "enumDescriptions": ["JSON"],
                                   "location": "query", "description": "Format."}},
            "resources": {"things": {
                "methods": {
                    "get": {"id": "demo.things.get", "httpMethod": "GET", "path": "v1/things/{id}",
                            "description": "Gets.", "parameterOrder": ["id"],
                            "parameters": {"id": {"type": "string", "location": "path",
                                                  "required": true, "description": "Which."}},
                            "response": {"$ref": "Thing"}, "supportsMediaDownload": true},
                    "delete": {"id": "demo.things.delete", "httpMethod": "DELETE",
                               "path": "v1/things/{id}", "response": {"$ref": "Empty"}}
                },
                "resources": {"parts": {"methods": {
                    "list": {"id": "demo.things.parts.list", "httpMethod": "GET",
                             "path": "v1/things/{id}/parts", "response": {"$ref": "Parts"}}
                }}}
            }},
            "schemas": {
                "Thing": {"id": "Thing", "type": "object", "description": "A thing.",
                          "properties": {
                              "description": {"type": "string", "description": "Its text."},
                              "parts": {"type": "array", "items": {"$ref": "Part"}}
                          }},
                "Part": {"id": "Part", "type": "object",
                         "properties": {"kind": {"type": "string", "enum": ["A", "B"],
                                                 "enumDescriptions": ["a", "b"]}}},
                "Parts": {"id": "Parts", "type": "object",
                          "properties": {"parts": {"type": "array", "items": {"$ref": "Part"}}}},
                "Empty": {"id": "Empty", "type": "object"}
            }
        })
    }

    #[test]
    fn named_methods_and_the_schemas_they_reach_without_prose() {
        let out = extract(&full(), &["demo.things.get", "demo.things.parts.list"]).unwrap();
        assert_eq!(
            out,
            json!({
                "id": "demo:v1", "name": "demo", "version": "v1", "revision": "20260101",
                "rootUrl": "https://demo.googleapis.com/", "servicePath": "",
                "parameters": {"alt": {"type": "string", "enum": ["json"], "location": "query"}},
                "resources": {"things": {
                    "methods": {"get": {
                        "id": "demo.things.get", "httpMethod": "GET", "path": "v1/things/{id}",
                        "parameterOrder": ["id"],
                        "parameters": {"id": {"type": "string", "location": "path", "required": true}},
                        "response": {"$ref": "Thing"}
                    }},
                    "resources": {"parts": {"methods": {"list": {
                        "id": "demo.things.parts.list", "httpMethod": "GET",
                        "path": "v1/things/{id}/parts", "response": {"$ref": "Parts"}
                    }}}}
                }},
                "schemas": {
                    // A property named `description` is a name, not prose: it stays.
                    "Thing": {"id": "Thing", "type": "object", "properties": {
                        "description": {"type": "string"},
                        "parts": {"type": "array", "items": {"$ref": "Part"}}
                    }},
                    "Part": {"id": "Part", "type": "object",
                             "properties": {"kind": {"type": "string", "enum": ["A", "B"]}}},
                    "Parts": {"id": "Parts", "type": "object",
                              "properties": {"parts": {"type": "array", "items": {"$ref": "Part"}}}}
                }
            })
        );
    }

    #[test]
    fn an_unknown_method_or_schema_is_named() {
        let err = extract(&full(), &["demo.things.put"]).unwrap_err();
        assert!(err.contains("demo.things.put"), "{err}");
        let mut broken = full();
        broken["schemas"].as_object_mut().unwrap().remove("Part");
        let err = extract(&broken, &["demo.things.get"]).unwrap_err();
        assert!(err.contains("schema Part"), "{err}");
    }
}
