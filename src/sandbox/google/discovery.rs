//! Checks every request the emulator receives against Google's own discovery documents.
//!
//! It reads the project's extracts of them (`references/google`: every method the emulator routes,
//! with its parameters and every schema its request and response reach, as Google wrote them
//! without the descriptions). A request that Google would reject (unknown path, query parameter or
//! body field, a wrong type, a value outside an enum, a bad `fields` mask) is answered with 400
//! `INVALID_ARGUMENT`, so no test can pass on a request the real API refuses.

use std::sync::OnceLock;

use serde_json::Value;

use super::grid::mask_paths;

/// Which API a discovery document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Sheets v4.
    Sheets,
    /// Drive v3.
    Drive,
}

/// The two discovery documents, parsed.
#[derive(Debug)]
pub struct Discovery {
    sheets: Value,
    drive: Value,
}

/// One received request, as the validator sees it.
#[derive(Debug)]
pub struct Received<'a> {
    /// `GET`, `POST`, `PUT`.
    pub http_method: &'a str,
    /// The raw (still percent-encoded) path without the leading `/`.
    pub path: &'a str,
    /// Decoded query pairs in order.
    pub query: &'a [(String, String)],
    /// The JSON body, if any.
    pub body: Option<&'a Value>,
}

impl Discovery {
    /// The extracts of the Sheets v4 and Drive v3 documents (`references/google`), parsed once.
    ///
    /// # Panics
    /// Never in practice: the tests parse them, and the drift test regenerates them from Google's
    /// documents.
    #[must_use]
    pub fn reference() -> &'static Self {
        static REFERENCE: OnceLock<Discovery> = OnceLock::new();
        REFERENCE.get_or_init(|| {
            use crate::sandbox::references::{DRIVE, Reference, SHEETS};
            let parse = |extract: &Reference| -> Value {
                serde_json::from_str(extract.text)
                    .unwrap_or_else(|e| panic!("the extract {} is not JSON: {e}", extract.path))
            };
            Self {
                sheets: parse(&SHEETS),
                drive: parse(&DRIVE),
            }
        })
    }

    fn doc(&self, api: Api) -> &Value {
        match api {
            Api::Sheets => &self.sheets,
            Api::Drive => &self.drive,
        }
    }

    /// Checks one request against the method `method_id` (e.g. `sheets.spreadsheets.values.get`).
    ///
    /// # Errors
    /// The message Google would put in its 400 reply.
    pub fn check(&self, api: Api, method_id: &str, req: &Received<'_>) -> Result<(), String> {
        let doc = self.doc(api);
        let method = find_method(&doc["resources"], method_id)
            .ok_or_else(|| format!("method {method_id} is not in the discovery document"))?;
        if method["httpMethod"].as_str() != Some(req.http_method) {
            return Err(format!(
                "{method_id} takes {} not {}",
                method["httpMethod"], req.http_method
            ));
        }
        let template = format!(
            "{}{}",
            doc["servicePath"].as_str().unwrap_or(""),
            method["flatPath"]
                .as_str()
                .or(method["path"].as_str())
                .unwrap_or("")
        );
        if !path_matches(&template, req.path) {
            return Err(format!(
                "path /{} does not match {method_id} (/{template})",
                req.path
            ));
        }
        check_query(doc, method, req.query)?;
        if let Some(fields) = req.query.iter().find(|(k, _)| k == "fields") {
            let response = method["response"]["$ref"].as_str().unwrap_or("");
            check_mask(doc, api, response, &fields.1)?;
        }
        match (&method["request"]["$ref"], req.body) {
            (Value::String(schema), Some(body)) => {
                check_value(doc, &Value::String(schema.clone()), body, "")
            }
            (_, Some(body)) if !body.is_null() => Err(format!("{method_id} takes no request body")),
            _ => Ok(()),
        }
    }
}

fn find_method<'a>(resources: &'a Value, id: &str) -> Option<&'a Value> {
    let map = resources.as_object()?;
    for resource in map.values() {
        if let Some(methods) = resource["methods"].as_object()
            && let Some(m) = methods.values().find(|m| m["id"].as_str() == Some(id))
        {
            return Some(m);
        }
        if let Some(found) = find_method(&resource["resources"], id) {
            return Some(found);
        }
    }
    None
}

/// Matches a raw path against a template like `v4/spreadsheets/{spreadsheetId}/values/{range}:append`;
/// a parameter matches one or more characters within a path segment.
fn path_matches(template: &str, path: &str) -> bool {
    #[derive(Debug)]
    enum Tok<'a> {
        Lit(&'a str),
        Param,
    }
    let mut toks = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            toks.push(Tok::Lit(&rest[..open]));
        }
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        toks.push(Tok::Param);
        rest = &rest[close..];
    }
    if !rest.is_empty() {
        toks.push(Tok::Lit(rest));
    }
    fn go(toks: &[Tok<'_>], s: &str) -> bool {
        match toks.split_first() {
            None => s.is_empty(),
            Some((Tok::Lit(lit), more)) => s.strip_prefix(lit).is_some_and(|r| go(more, r)),
            Some((Tok::Param, more)) => {
                let seg_end = s.find('/').unwrap_or(s.len());
                (1..=seg_end)
                    .rev()
                    .any(|n| s.is_char_boundary(n) && go(more, &s[n..]))
            }
        }
    }
    go(&toks, path)
}

fn check_query(doc: &Value, method: &Value, query: &[(String, String)]) -> Result<(), String> {
    for (key, value) in query {
        let spec = method["parameters"]
            .get(key)
            .filter(|p| p["location"] == "query")
            .or_else(|| doc["parameters"].get(key))
            .ok_or_else(|| format!("Invalid JSON payload received. Unknown name \"{key}\": Cannot bind query parameter. Field '{key}' could not be found in request message."))?;
        if spec["repeated"] != Value::Bool(true)
            && query.iter().filter(|(k, _)| k == key).count() > 1
        {
            return Err(format!("query parameter {key} may be given only once"));
        }
        check_scalar(spec, &Value::String(value.clone()), key)?;
    }
    if let Some(params) = method["parameters"].as_object() {
        for (name, spec) in params {
            if spec["location"] == "query"
                && spec["required"] == Value::Bool(true)
                && !query.iter().any(|(k, _)| k == name)
            {
                return Err(format!("required query parameter {name} is missing"));
            }
        }
    }
    Ok(())
}

fn check_scalar(spec: &Value, value: &Value, at: &str) -> Result<(), String> {
    let bad = || format!("Invalid value at '{at}' ({}), {value}", spec["type"]);
    match spec["type"].as_str().unwrap_or("any") {
        "string" => {
            let s = value.as_str().ok_or_else(bad)?;
            if let Some(options) = spec["enum"].as_array()
                && !options.iter().any(|o| o.as_str() == Some(s))
            {
                return Err(format!("Invalid value at '{at}', \"{s}\""));
            }
            Ok(())
        }
        "integer" => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            Value::String(s) if s.parse::<i64>().is_ok() => Ok(()),
            _ => Err(bad()),
        },
        "number" => match value {
            Value::Number(_) => Ok(()),
            Value::String(s) if s.parse::<f64>().is_ok() => Ok(()),
            _ => Err(bad()),
        },
        "boolean" => match value {
            Value::Bool(_) => Ok(()),
            Value::String(s) if s == "true" || s == "false" => Ok(()),
            _ => Err(bad()),
        },
        _ => Ok(()),
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema {
        Value::String(name) => &doc["schemas"][name.as_str()],
        other => match other["$ref"].as_str() {
            Some(name) => &doc["schemas"][name],
            None => other,
        },
    }
}

fn check_value(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if value.is_null() {
        return Ok(());
    }
    match schema["type"].as_str().unwrap_or("any") {
        "object" => {
            let Value::Object(map) = value else {
                return Err(format!(
                    "Invalid value at '{at}' (type.googleapis.com/google.protobuf.Struct), {value}"
                ));
            };
            for (key, child) in map {
                let here = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                let child_schema = schema["properties"]
                    .get(key)
                    .or_else(|| schema.get("additionalProperties"));
                match child_schema {
                    Some(s) => check_value(doc, s, child, &here)?,
                    None => {
                        return Err(format!(
                            "Invalid JSON payload received. Unknown name \"{key}\" at '{at}': Cannot find field."
                        ));
                    }
                }
            }
            Ok(())
        }
        "array" => {
            let Value::Array(items) = value else {
                return Err(format!(
                    "Invalid value at '{at}' (type.googleapis.com/google.protobuf.ListValue), {value}"
                ));
            };
            for (i, item) in items.iter().enumerate() {
                check_value(doc, &schema["items"], item, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        "any" => Ok(()),
        _ => check_scalar(schema, value, at),
    }
}

fn check_mask(doc: &Value, api: Api, response: &str, mask: &str) -> Result<(), String> {
    let mask = if api == Api::Drive {
        mask.replace(' ', "")
    } else if mask.contains(' ') {
        return Err("Request contains an invalid argument.".to_owned());
    } else {
        mask.to_owned()
    };
    let root = &doc["schemas"][response];
    for path in mask_paths(&mask) {
        let mut schema = root;
        for seg in path.split('/') {
            if seg == "*" {
                break;
            }
            while schema["type"] == "array" || schema.get("$ref").is_some() {
                schema = if schema["type"] == "array" {
                    resolve(doc, &schema["items"])
                } else {
                    resolve(doc, schema)
                };
            }
            let next = schema["properties"]
                .get(seg)
                .or_else(|| schema.get("additionalProperties"));
            match next {
                Some(s) => schema = resolve(doc, s),
                None => return Err(format!("Invalid field selection {seg}")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn discovery() -> &'static Discovery {
        Discovery::reference()
    }

    #[test]
    fn path_templates_match_encoded_ranges_only_where_they_fit() {
        let t = "v4/spreadsheets/{spreadsheetId}/values/{range}:append";
        assert!(path_matches(
            t,
            "v4/spreadsheets/abc/values/%27Sheet1%27:append"
        ));
        assert!(!path_matches(t, "v4/spreadsheets/abc/values/%27Sheet1%27"));
        assert!(path_matches(
            "v4/spreadsheets/{spreadsheetId}/values/{range}",
            "v4/spreadsheets/abc/values/A1:B2"
        ));
        assert!(!path_matches(
            "v4/spreadsheets/{spreadsheetId}",
            "v4/spreadsheets/abc/extra"
        ));
    }

    #[test]
    fn valid_requests_pass_and_violations_are_named() {
        let d = discovery();
        let q = [
            ("valueInputOption".to_owned(), "RAW".to_owned()),
            (
                "fields".to_owned(),
                "totalUpdatedCells,responses(updatedRange)".to_owned(),
            ),
        ];
        let body = json!({"valueInputOption": "RAW", "data": [{"range": "'S'!A1", "values": [["x", 1, true, ""]]}]});
        let req = Received {
            http_method: "POST",
            path: "v4/spreadsheets/abc/values:batchUpdate",
            query: &q[1..],
            body: Some(&body),
        };
        d.check(Api::Sheets, "sheets.spreadsheets.values.batchUpdate", &req)
            .unwrap();

        let bad_body = json!({"valueInputOption": "RAW", "data": [{"rnge": "A1"}]});
        let req = Received {
            body: Some(&bad_body),
            ..req
        };
        let err = d
            .check(Api::Sheets, "sheets.spreadsheets.values.batchUpdate", &req)
            .unwrap_err();
        assert!(err.contains("Unknown name \"rnge\""), "{err}");

        let bad_enum = json!({"valueInputOption": "RAWISH"});
        let req = Received {
            body: Some(&bad_enum),
            ..req
        };
        assert!(
            d.check(Api::Sheets, "sheets.spreadsheets.values.batchUpdate", &req)
                .is_err()
        );
    }

    #[test]
    fn query_parameters_and_masks_are_checked() {
        let d = discovery();
        let check = |query: Vec<(&str, &str)>| {
            let q: Vec<(String, String)> = query
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            d.check(
                Api::Sheets,
                "sheets.spreadsheets.get",
                &Received {
                    http_method: "GET",
                    path: "v4/spreadsheets/abc",
                    query: &q,
                    body: None,
                },
            )
        };
        assert!(check(vec![("fields", "sheets.properties(sheetId,title)")]).is_ok());
        assert!(check(vec![("fields", "sheets.properties, properties")]).is_err());
        assert!(check(vec![("fields", "sheets.propertiez")]).is_err());
        assert!(check(vec![("includeGridData", "maybe")]).is_err());
        assert!(check(vec![("bogus", "1")]).is_err());
    }
}
