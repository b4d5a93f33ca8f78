//! The emulator's mutable state: spreadsheets, issued tokens, quota windows, planned faults and
//! request counters.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::grid::Spreadsheet;

/// A fault the emulator injects into one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, or until released, before handling the request (a client timeout makes the
    /// outcome unknown).
    Stall(Duration),
    /// Apply the request, then answer 503.
    ApplyThen503,
    /// Apply the request, then drop the connection without a complete reply.
    ApplyThenDrop,
    /// Answer with this 5xx status without applying anything.
    Status(u16),
    /// Answer 429 `RESOURCE_EXHAUSTED` without applying anything.
    Quota,
    /// Answer Drive's 403 `userRateLimitExceeded` without applying anything.
    DriveRateLimit,
}

/// A fault waiting for its request.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Method id without the API prefix (`spreadsheets.values.batchUpdate`, `files.list`), or `*`.
    pub method: String,
    /// Matching requests still to pass before this one fires (0 = the next one).
    pub skip: u64,
    /// What happens.
    pub fault: Fault,
}

/// Requests and bytes received, per method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodCount {
    /// Requests received.
    pub requests: u64,
    /// Request-body bytes received.
    pub bytes: u64,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// When it stops working.
    pub expires: Instant,
    /// Scopes it carries.
    pub scopes: Vec<String>,
}

/// A fixed one-minute quota window.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// The minute (seconds since the epoch / 60).
    pub minute: i64,
    /// Requests counted in it.
    pub used: u32,
}

/// Everything that changes while the emulator runs.
#[derive(Debug, Default)]
pub struct Inner {
    /// Spreadsheets by ID.
    pub books: BTreeMap<String, Spreadsheet>,
    /// Issued tokens.
    pub tokens: HashMap<String, IssuedToken>,
    /// Tokens issued so far (also the token serial).
    pub tokens_issued: u64,
    /// The read-quota window.
    pub reads: Window,
    /// The write-quota window.
    pub writes: Window,
    /// Requests answered 429 by the quota (not by an injected fault).
    pub quota_rejections: u64,
    /// Requests refused because they break the discovery document.
    pub violations: u64,
    /// Planned faults.
    pub faults: Vec<FaultRule>,
    /// Counters by method id.
    pub counts: BTreeMap<String, MethodCount>,
    /// How long new tokens live.
    pub token_lifetime: Option<Duration>,
    /// Cell values every values write is refused for (400) while they are listed.
    pub refused_values: Vec<String>,
}

impl Inner {
    /// Where a values write's `body` holds a refused value: `data[d].values[r][c]` for
    /// `values:batchUpdate`, `values[r][c]` for a single-range write.
    pub fn refused_cell(&self, body: &serde_json::Value) -> Option<String> {
        if self.refused_values.is_empty() {
            return None;
        }
        let refused = |grid: &serde_json::Value| {
            grid.as_array()?.iter().enumerate().find_map(|(r, row)| {
                row.as_array()?.iter().enumerate().find_map(|(c, cell)| {
                    let text = cell.as_str()?;
                    self.refused_values
                        .iter()
                        .any(|v| v == text)
                        .then(|| format!("values[{r}][{c}]"))
                })
            })
        };
        match body.get("data").and_then(serde_json::Value::as_array) {
            Some(data) => data.iter().enumerate().find_map(|(d, range)| {
                refused(&range["values"]).map(|at| format!("data[{d}].{at}"))
            }),
            None => refused(&body["values"]),
        }
    }

    /// Takes the fault planned for this request of `method`, if any.
    pub fn take_fault(&mut self, method: &str) -> Option<Fault> {
        let mut fired = None;
        self.faults.retain_mut(|rule| {
            if rule.method != "*" && rule.method != method {
                return true;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                return true;
            }
            if fired.is_some() {
                return true;
            }
            fired = Some(rule.fault);
            false
        });
        fired
    }
}
