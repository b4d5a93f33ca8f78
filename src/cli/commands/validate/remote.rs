//! The checks that reach Google and Shopify, with reads only: a token, the spreadsheet and its
//! tab, the edit right (Drive `capabilities.canEdit`), the cell headroom, and Shopify's shop,
//! scopes and served API version. Each step has its own deadline, so a dead service gives a
//! failed check rather than a hang; a failed step skips the steps that need it.

use std::future::Future;
use std::time::Duration;

use super::{Check, split_advice};
use crate::cli::remote::{clock, sheets, shopify};
use crate::config::RemoteConfig;
use crate::retry::Backoff;
use crate::sheets::{MAX_CELLS, SheetsClient, SheetsError, SpreadsheetInfo, Target, parse_target};
use crate::shopify::ShopifyError;
use crate::store::Binding;
use crate::sync::plan::tab::{TabFacts, TabVerdict, judge};
use crate::sync::run::sheet::{bound_tab, read_tab};

/// The remote checks, in the order they are shown.
pub(super) const NAMES: [&str; 9] = [
    "key_file",
    "google_token",
    "spreadsheet",
    "edit_permission",
    "tab",
    "sheet_headroom",
    "shopify_token",
    "scopes",
    "api_version",
];

/// Where the Shopify checks start in [`NAMES`]; the Google ones come first.
pub(super) const FIRST_SHOPIFY: usize = 6;

/// How long one remote step may take, retries included.
const STEP_DEADLINE: Duration = Duration::from_secs(30);

/// The spreadsheet and tab as found, for the binding check.
#[derive(Debug, Clone)]
pub(super) struct SheetFound {
    /// The spreadsheet's ID.
    pub spreadsheet_id: String,
    /// The configured tab's `sheetId`, when the tab exists.
    pub sheet_id: Option<i64>,
}

/// What the remote checks found.
#[derive(Debug)]
pub(super) struct Found {
    /// One per name in [`NAMES`], in that order.
    pub checks: Vec<Check>,
    /// The spreadsheet, when it was found.
    pub sheet: Option<SheetFound>,
}

/// Runs the Google and Shopify checks side by side.
pub(super) async fn run(config: &RemoteConfig, bound: Option<&Binding>) -> Found {
    let (google, shop) = tokio::join!(google(config, bound), shopify_checks(config));
    let (mut checks, sheet) = google;
    checks.extend(shop);
    Found { checks, sheet }
}

/// A step that failed: the error's text, and whether the service was never reached (so what
/// the step was to check, a token or a spreadsheet, was not tried at all).
struct Failed {
    text: String,
    unreachable: bool,
}

/// Errors that can say whether a connection was made.
trait Reach: std::fmt::Display {
    fn unreachable(&self) -> bool;
}

impl Reach for ShopifyError {
    fn unreachable(&self) -> bool {
        self.kind() == crate::shopify::ErrorKind::Unreachable
    }
}

impl Reach for SheetsError {
    fn unreachable(&self) -> bool {
        self.kind() == crate::sheets::ErrorKind::Unreachable
    }
}

/// Awaits `step` for at most [`STEP_DEADLINE`].
async fn step<T, E: Reach>(
    what: &str,
    step: impl Future<Output = Result<T, E>>,
) -> Result<T, Failed> {
    match tokio::time::timeout(STEP_DEADLINE, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(Failed {
            text: err.to_string(),
            unreachable: err.unreachable(),
        }),
        Err(_) => Err(Failed {
            text: format!(
                "{what} got no answer within {} seconds; check this machine's network connection",
                STEP_DEADLINE.as_secs()
            ),
            unreachable: true,
        }),
    }
}

/// The failed check for a step whose service could not be reached: `what` (the token, the
/// spreadsheet) was never tried, and the fix is the address, not the credentials.
fn not_reached(name: &'static str, what: &str, err: &Failed) -> Check {
    let (detail, hint) = split_advice(&err.text, "check the address and the network connection");
    Check::fail(name, format!("{what} was not tried: {detail}"), hint)
}

/// Fills the checks after `from` (a name in `names`) with skips.
fn skip_rest(checks: &mut Vec<Check>, names: &[&'static str], why: &str) {
    for name in &names[checks.len()..] {
        checks.push(Check::skip(name, why));
    }
}

async fn google(
    config: &RemoteConfig,
    bound: Option<&Binding>,
) -> (Vec<Check>, Option<SheetFound>) {
    let names = &NAMES[..FIRST_SHOPIFY];
    let mut checks = Vec::new();
    let mut settings = sheets(config, clock());
    // Patience for a cron run is wrong here: a person is waiting for an answer.
    settings.backoff = Backoff {
        max_attempts: 2,
        ..Backoff::default()
    };
    settings.quota_attempts = 2;
    settings.read_timeout = Duration::from_secs(20);
    settings.token_timeout = Duration::from_secs(20);
    let key_path = config.service_account_file.display().to_string();
    let client = match SheetsClient::new(settings).await {
        Ok(client) => client,
        Err(err) => {
            checks.push(Check::failed(
                "key_file",
                &err.to_string(),
                "download a new JSON key for the service account",
            ));
            skip_rest(&mut checks, names, "the key file is unusable");
            return (checks, None);
        }
    };
    let email = client.client_email().to_owned();
    checks.push(Check::pass(
        "key_file",
        format!("{key_path}: service account {email}"),
    ));

    match step("the token endpoint", client.authenticate()).await {
        Ok(()) => {}
        Err(err) if err.unreachable => {
            checks.push(not_reached("google_token", "the key", &err));
            skip_rest(
                &mut checks,
                names,
                "Google's token endpoint could not be reached",
            );
            return (checks, None);
        }
        Err(err) => {
            checks.push(Check::failed(
                "google_token",
                &err.text,
                "check the key is current (not deleted in IAM) and the machine's clock is right",
            ));
            skip_rest(&mut checks, names, "no Google token");
            return (checks, None);
        }
    }
    checks.push(Check::pass(
        "google_token",
        "the token endpoint issued an access token",
    ));

    let book = match step("Google", open_book(&client, &config.target_spreadsheet)).await {
        Ok(book) => book,
        Err(err) if err.unreachable => {
            checks.push(not_reached("spreadsheet", "the spreadsheet", &err));
            skip_rest(&mut checks, names, "Google could not be reached");
            return (checks, None);
        }
        Err(err) => {
            checks.push(Check::failed(
                "spreadsheet",
                &err.text,
                &format!(
                    "check target_spreadsheet, and share the spreadsheet with {email} as Editor"
                ),
            ));
            skip_rest(&mut checks, names, "the spreadsheet was not found");
            return (checks, None);
        }
    };
    let how = match parse_target(&config.target_spreadsheet) {
        Target::Id(_) => "by ID",
        Target::Title(_) => "by title in Drive",
    };
    checks.push(Check::pass(
        "spreadsheet",
        format!("\"{}\" ({}), found {how}", book.title, book.id),
    ));
    checks.push(edit_check(&client, &book.id, &email).await);
    checks.push(tab_check(&client, &book, &config.worksheet, bound).await);
    checks.push(headroom_check(&book));
    let sheet = SheetFound {
        spreadsheet_id: book.id.clone(),
        sheet_id: book.tab(&config.worksheet).map(|t| t.sheet_id),
    };
    (checks, Some(sheet))
}

async fn open_book(client: &SheetsClient, target: &str) -> Result<SpreadsheetInfo, SheetsError> {
    let id = client.resolve_spreadsheet(target).await?;
    client.open(&id).await
}

/// The edit right, read from Drive; never by trying a write.
async fn edit_check(client: &SheetsClient, id: &str, email: &str) -> Check {
    const NAME: &str = "edit_permission";
    match step("Drive", client.can_edit(id)).await {
        Ok(true) => Check::pass(NAME, format!("{email} may edit the spreadsheet")),
        Ok(false) => Check::fail(
            NAME,
            format!("{email} may read the spreadsheet but not edit it"),
            format!("share the spreadsheet with {email} as Editor"),
        ),
        // The spreadsheet was just read, so this is Drive refusing to say (its API disabled in
        // the key's project, or a service that does not serve files.get), not a missing file.
        Err(err) => Check::warn(
            NAME,
            format!(
                "not verified: Drive files.get did not tell ({})",
                err.text
                    .split_once("; ")
                    .map_or(err.text.as_str(), |(what, _)| what)
            ),
            format!(
                "make sure {email} is an Editor of the spreadsheet (and the Drive API is enabled \
                 in the key's project); the first sync fails clearly if it is not"
            ),
        ),
    }
}

/// The tab and its row 1, judged by the sync's own tab policy ([`judge`]) without creating or
/// changing anything: a refusal fails, a tab the sync would create or extend warns.
async fn tab_check(
    client: &SheetsClient,
    book: &SpreadsheetInfo,
    title: &str,
    bound: Option<&Binding>,
) -> Check {
    const NAME: &str = "tab";
    let read = match step("Google", read_tab(client, book, title)).await {
        Ok(read) => read,
        Err(err) => return Check::failed(NAME, &err.text, "check the tab can be read"),
    };
    let bound_id = bound
        .filter(|b| b.spreadsheet_id == book.id)
        .map(|b| b.sheet_id);
    let verdict = judge(&TabFacts {
        title,
        read: read.as_ref(),
        bound: bound_tab(book, bound_id),
    });
    match verdict {
        Err(err) => Check::failed(NAME, &err.to_string(), "set worksheet to a new tab name"),
        Ok(TabVerdict::Create(_)) => Check::warn(
            NAME,
            format!("the spreadsheet has no tab \"{title}\""),
            "the first sync creates it with the header row; set worksheet if the orders \
             belong in another tab",
        ),
        Ok(TabVerdict::Adopt { blank: true, .. }) => Check::warn(
            NAME,
            format!("tab \"{title}\" is empty"),
            "the first sync writes the header row there; set worksheet if that is not the tab \
             you meant",
        ),
        Ok(TabVerdict::Adopt { layout, .. }) if !layout.additions().is_empty() => {
            let missing: Vec<&str> = layout.additions().iter().map(|a| a.column.name()).collect();
            Check::warn(
                NAME,
                format!("tab \"{title}\" lacks the column(s) {}", missing.join(", ")),
                "the next sync adds them at the right of the header; nothing is moved",
            )
        }
        Ok(TabVerdict::Adopt { .. }) => Check::pass(
            NAME,
            format!(
                "tab \"{title}\" has shopsync's header ({} rows in the grid)",
                book.tab(title).map_or(0, |t| t.row_count)
            ),
        ),
    }
}

fn headroom_check(book: &SpreadsheetInfo) -> Check {
    const NAME: &str = "sheet_headroom";
    let used = book.total_cells();
    let left = book.cell_headroom();
    let detail = format!(
        "{} of Google's {} cells used, room for {} more",
        grouped(used),
        grouped(MAX_CELLS),
        grouped(left)
    );
    if left == 0 {
        Check::fail(
            NAME,
            detail,
            "delete unused rows, columns or tabs, or point target_spreadsheet at a new spreadsheet",
        )
    } else if left < crate::sheets::LOW_CELL_HEADROOM {
        Check::warn(
            NAME,
            detail,
            "plan a new spreadsheet soon, or delete unused rows, columns or tabs",
        )
    } else {
        Check::pass(NAME, detail)
    }
}

/// `10000000` as `10,000,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The Shopify checks alone (also when the key file is the configuration's only problem).
pub(super) async fn shopify_checks(config: &RemoteConfig) -> Vec<Check> {
    let names = &NAMES[FIRST_SHOPIFY..];
    let mut checks = Vec::new();
    let client = match shopify(config, clock()) {
        Ok(client) => client,
        Err(err) => {
            checks.push(Check::failed(
                "shopify_token",
                &format!("{err:#}"),
                "check shopify_store_name and shopify_api_url",
            ));
            skip_rest(&mut checks, names, "no Shopify client");
            return checks;
        }
    };
    match step("Shopify", client.shop()).await {
        Ok(shop) => checks.push(Check::pass(
            "shopify_token",
            format!("accepted by {} ({})", shop.myshopify_domain, shop.name),
        )),
        Err(err) if err.unreachable => {
            checks.push(not_reached("shopify_token", "the token", &err));
            skip_rest(&mut checks, names, "Shopify could not be reached");
            return checks;
        }
        Err(err) => {
            checks.push(Check::failed(
                "shopify_token",
                &err.text,
                "check shopify_store_name and shopify_access_token",
            ));
            skip_rest(&mut checks, names, "Shopify did not accept the token");
            return checks;
        }
    }
    match step("Shopify", client.access_scopes()).await {
        Ok(scopes) => checks.push(scopes_check(&scopes, config.lookback_days)),
        Err(err) => checks.push(Check::failed(
            "scopes",
            &err.text,
            "grant the app read_orders (and read_all_orders) and reinstall it",
        )),
    }
    checks.push(version_check(
        &config.api_version,
        client.served_api_version().as_deref(),
    ));
    checks
}

/// Where a store owner grants scopes to their own app.
const SCOPES_WHERE: &str = "in the app's configuration (Settings > Apps and sales channels > \
     Develop apps > your app > Configuration > Admin API access scopes, or the Dev Dashboard), \
     then reinstall the app";

fn scopes_check(granted: &[String], lookback_days: u32) -> Check {
    const NAME: &str = "scopes";
    let has = |scope: &str| granted.iter().any(|g| g == scope);
    let list = if granted.is_empty() {
        "none".to_owned()
    } else {
        granted.join(", ")
    };
    // A write scope includes its read scope.
    if !has("read_orders") && !has("write_orders") {
        return Check::fail(
            NAME,
            format!("read_orders is not granted (granted: {list})"),
            format!("grant read_orders {SCOPES_WHERE}"),
        );
    }
    if has("read_all_orders") {
        return Check::pass(NAME, format!("granted: {list}"));
    }
    let window = crate::shopify::DEFAULT_ORDER_WINDOW_DAYS;
    if lookback_days > window {
        Check::fail(
            NAME,
            format!(
                "lookback_days is {lookback_days}, but without read_all_orders Shopify shows only \
                 orders created in the last {window} days (granted: {list})"
            ),
            format!(
                "grant read_all_orders {SCOPES_WHERE}; or set lookback_days to {window} or less"
            ),
        )
    } else {
        Check::warn(
            NAME,
            format!(
                "read_all_orders is not granted: orders created more than {window} days ago stay \
                 invisible, even when they change (granted: {list})"
            ),
            format!(
                "grant read_all_orders {SCOPES_WHERE} before using lookback_days or --since past \
                 {window} days"
            ),
        )
    }
}

fn version_check(asked: &str, served: Option<&str>) -> Check {
    const NAME: &str = "api_version";
    match served {
        Some(served) if served == asked => Check::pass(NAME, format!("{asked} is served")),
        Some(served) => Check::fail(
            NAME,
            format!(
                "{asked} is no longer served: Shopify answered with {served} instead (old versions \
                 fall forward)"
            ),
            format!(
                "set shopify_api_version to a supported version such as {served} (shopsync is \
                 tested against {})",
                crate::config::DEFAULT_API_VERSION
            ),
        ),
        None => Check::warn(
            NAME,
            format!("Shopify did not say which version answered (asked for {asked})"),
            "check shopify_api_url points at Shopify's Admin API",
        ),
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
