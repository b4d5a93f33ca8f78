//! Finding the spreadsheet: `target_spreadsheet` as an ID, a full URL, or an exact title looked up
//! with Drive `files.list` (all drives, every page, exact client-side match).
//!
//! See: <https://developers.google.com/workspace/drive/api/guides/search-files>

use reqwest::Method;

use super::client::{Call, Op, SheetsClient};
use super::error::SheetsError;

/// MIME type of a Google spreadsheet in Drive.
pub const SPREADSHEET_MIME: &str = "application/vnd.google-apps.spreadsheet";

/// Drive's largest page.
const PAGE_SIZE: u32 = 1000;

/// What `target_spreadsheet` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A spreadsheet ID (given directly or taken from a URL).
    Id(String),
    /// A title to look up in Drive.
    Title(String),
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Reads `target_spreadsheet`: a URL (`…/spreadsheets/d/ID/…` or legacy `key=ID`), a bare ID
/// (25 or more of `A-Za-z0-9-_`; Google's are 44), or else a title.
#[must_use]
pub fn parse_target(target: &str) -> Target {
    let target = target.trim();
    if let Some(at) = target.find("/spreadsheets/d/") {
        let id: String = target[at + "/spreadsheets/d/".len()..]
            .chars()
            .take_while(|c| is_id_char(*c))
            .collect();
        if !id.is_empty() {
            return Target::Id(id);
        }
    }
    if (target.starts_with("http://") || target.starts_with("https://"))
        && let Some(at) = target.find("key=")
    {
        let id: String = target[at + 4..]
            .chars()
            .take_while(|c| *c != '&' && *c != '#')
            .collect();
        if !id.is_empty() {
            return Target::Id(id);
        }
    }
    if target.len() >= 25 && target.chars().all(is_id_char) {
        return Target::Id(target.to_owned());
    }
    Target::Title(target.to_owned())
}

/// A Drive query string literal: `\` then `'` escaped, in single quotes.
#[must_use]
pub fn quote_query_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Reads one page of Drive's `files.list` reply: the files named exactly `title` go to
/// `matches`; the next page's token, or `None` after the last. `seen` holds the tokens already
/// followed.
///
/// # Errors
/// [`SheetsError::Protocol`] when the page hands back a token already followed (which would page
/// forever).
pub(crate) fn list_page(
    reply: &serde_json::Value,
    title: &str,
    matches: &mut Vec<(String, String)>,
    seen: &mut std::collections::HashSet<String>,
) -> Result<Option<String>, SheetsError> {
    for file in reply["files"].as_array().into_iter().flatten() {
        let (Some(id), Some(name)) = (file["id"].as_str(), file["name"].as_str()) else {
            continue;
        };
        // Drive's `name =` match is not documented as exact; compare here.
        if name == title {
            matches.push((id.to_owned(), name.to_owned()));
        }
    }
    match reply["nextPageToken"].as_str() {
        Some(next) if !seen.insert(next.to_owned()) => Err(SheetsError::Protocol {
            message: "Drive's file list repeated a nextPageToken already followed".to_owned(),
        }),
        Some(next) if !next.is_empty() => Ok(Some(next.to_owned())),
        _ => Ok(None),
    }
}

impl SheetsClient {
    /// Whether the service account may edit the spreadsheet (Drive `capabilities.canEdit`): a
    /// sheet shared as Viewer reads fine and fails only at the first write, so `validate` asks.
    ///
    /// # Errors
    /// [`SheetsError::NotFound`] (naming `client_email`) when Drive cannot see the file.
    pub async fn can_edit(&self, spreadsheet_id: &str) -> Result<bool, SheetsError> {
        let reply = self
            .call(Call {
                op: Op::Drive,
                method: Method::GET,
                url: format!(
                    "{}/drive/v3/files/{}",
                    self.settings.drive_url.trim_end_matches('/'),
                    super::a1::encode_segment(spreadsheet_id)
                ),
                query: vec![
                    ("fields", "capabilities(canEdit)".to_owned()),
                    ("supportsAllDrives", "true".to_owned()),
                ],
                body: None,
                what: "Drive files.get".to_owned(),
            })
            .await?;
        Ok(reply["capabilities"]["canEdit"].as_bool() == Some(true))
    }

    /// Resolves `target_spreadsheet` to a spreadsheet ID.
    ///
    /// # Errors
    /// [`SheetsError::SpreadsheetNotFound`] (naming `client_email`) when no file has the title,
    /// [`SheetsError::AmbiguousTitle`] listing the IDs when several do, or a request error.
    pub async fn resolve_spreadsheet(&self, target: &str) -> Result<String, SheetsError> {
        let title = match parse_target(target) {
            Target::Id(id) => return Ok(id),
            Target::Title(title) => title,
        };
        let q = format!(
            "name = {} and mimeType = '{SPREADSHEET_MIME}' and trashed = false",
            quote_query_string(&title)
        );
        let mut matches = Vec::new();
        let mut page_token: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut query = vec![
                ("q", q.clone()),
                ("fields", "nextPageToken,files(id,name)".to_owned()),
                ("pageSize", PAGE_SIZE.to_string()),
                ("supportsAllDrives", "true".to_owned()),
                ("includeItemsFromAllDrives", "true".to_owned()),
                ("corpora", "allDrives".to_owned()),
            ];
            if let Some(token) = &page_token {
                query.push(("pageToken", token.clone()));
            }
            let reply = self
                .call(Call {
                    op: Op::Drive,
                    method: Method::GET,
                    url: format!(
                        "{}/drive/v3/files",
                        self.settings.drive_url.trim_end_matches('/')
                    ),
                    query,
                    body: None,
                    what: "Drive files.list".to_owned(),
                })
                .await?;
            match list_page(&reply, &title, &mut matches, &mut seen)? {
                Some(next) => page_token = Some(next),
                None => break,
            }
        }
        match matches.len() {
            0 => Err(SheetsError::SpreadsheetNotFound {
                title,
                client_email: self.client_email().to_owned(),
            }),
            1 => Ok(matches.remove(0).0),
            _ => Err(SheetsError::AmbiguousTitle { title, matches }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_ids_urls_or_titles() {
        let id = "1eheWgScd8RMa1VTKd93q7b646dtTz8RqSHroPLhJpEo";
        assert_eq!(parse_target(id), Target::Id(id.into()));
        assert_eq!(
            parse_target(&format!(
                "https://docs.google.com/spreadsheets/d/{id}/edit?gid=0#gid=0"
            )),
            Target::Id(id.into())
        );
        assert_eq!(
            parse_target("https://spreadsheets.google.com/ccc?key=abc123&hl=en"),
            Target::Id("abc123".into())
        );
        assert_eq!(
            parse_target("Shop Orders"),
            Target::Title("Shop Orders".into())
        );
        assert_eq!(
            parse_target("Orders2026"),
            Target::Title("Orders2026".into())
        );
    }

    #[test]
    fn query_literals_escape_backslash_then_quote() {
        assert_eq!(
            quote_query_string(r"Valentine's \ Day"),
            r"'Valentine\'s \\ Day'"
        );
    }
}
