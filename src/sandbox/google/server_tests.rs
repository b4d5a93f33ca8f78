//! Unit tests of the parent module.

use super::*;

#[test]
fn paths_route_like_google() {
    let get = Method::GET;
    let post = Method::POST;
    assert_eq!(
        route(&get, "/v4/spreadsheets/abc"),
        Some(Route::Get("abc".into()))
    );
    assert_eq!(
        route(&post, "/v4/spreadsheets/abc:batchUpdate"),
        Some(Route::BatchUpdate("abc".into()))
    );
    assert_eq!(
        route(&post, "/v4/spreadsheets/abc/values/%27Sheet1%27:append"),
        Some(Route::Append("abc".into(), "'Sheet1'".into()))
    );
    assert_eq!(
        route(&post, "/v4/spreadsheets/abc/values/%27S%27%21A1%3AB2:clear"),
        Some(Route::Clear("abc".into(), "'S'!A1:B2".into()))
    );
    assert_eq!(
        route(&Method::PUT, "/v4/spreadsheets/abc/values/A1:B2"),
        Some(Route::ValuesUpdate("abc".into(), "A1:B2".into()))
    );
    assert_eq!(route(&get, "/v4/spreadsheets/abc/nope"), None);
}
