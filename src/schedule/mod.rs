//! What `shopsync schedule` prints: a crontab line or a systemd service and timer that run
//! `shopsync -q sync` in one folder at a fixed interval. Pure text; nothing is installed.
//!
//! Intervals are the ones cron can repeat evenly, so both formats accept the same `--every`:
//! minutes that divide an hour (`1m` … `30m`), hours that divide a day (`1h` … `12h`), and `1d`.
//! The job does not run at the top of the interval but at a minute (and for `Nh` and `1d` an hour)
//! chosen from a hash of the shop's name, or of the folder when no shop is configured yet: stable
//! for one shop, and spread across shops, so that every shopsync in the world does not call Shopify
//! at :00. Paths are quoted for the format that reads them (the `quote` module).

mod cron;
mod quote;
mod systemd;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

pub use cron::crontab;
pub use systemd::units;

/// How often the job runs, as `--every` gave it, known to be one cron can repeat evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Every N minutes, N dividing 60 and below it.
    Minutes(u32),
    /// Every N hours, N dividing 24 and below it.
    Hours(u32),
    /// Once a day.
    Day,
}

impl Every {
    /// Parses `15m`, `2h`, `1d` (also `30min`; `60m` is `1h` and `24h` is `1d`),
    /// refusing what cron cannot repeat evenly with a sentence that lists what it can.
    ///
    /// # Errors
    /// A message for the command line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let per_unit = match unit {
            "m" | "min" => 1,
            "h" => 60,
            "d" => 24 * 60,
            _ => {
                return Err(format!(
                    "\"{text}\" is not an interval: write a number and m, h or d, such as 15m, 1h \
                     or 1d"
                ));
            }
        };
        let minutes = number
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(per_unit))
            .filter(|m| *m > 0)
            .ok_or_else(|| format!("\"{text}\" is not an interval of at least one minute"))?;
        match minutes {
            m if m < 60 && 60 % m == 0 => Ok(Self::Minutes(m)),
            m if m % 60 == 0 && m < 24 * 60 && (24 * 60) % m == 0 => Ok(Self::Hours(m / 60)),
            m if m == 24 * 60 => Ok(Self::Day),
            _ => Err(format!(
                "cron cannot run a job every {text} evenly: use minutes that divide an hour (1m, \
                 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m), hours that divide a day (1h, 2h, \
                 3h, 4h, 6h, 8h, 12h) or 1d"
            )),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Minutes(n) => write!(f, "{n}m"),
            Self::Hours(n) => write!(f, "{n}h"),
            Self::Day => f.write_str("1d"),
        }
    }
}

/// When in each interval the job runs: its offset from the interval's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The interval.
    pub every: Every,
    /// The minute of the hour (for `Minutes(n)`, the first of the hour: below n).
    pub minute: u32,
    /// The hour of the first run in a day (below n for `Hours(n)`, below 24 for `Day`; 0 otherwise).
    pub hour: u32,
}

impl Slot {
    /// The slot for `every`, spread by a hash of `seed` (the shop's domain, else the folder).
    #[must_use]
    pub fn spread(every: Every, seed: &str) -> Self {
        let digest = Sha256::digest(seed.as_bytes());
        let mut bytes = [0_u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        let hash = u64::from_be_bytes(bytes);
        // Each modulus is at most 60 or 24, so the casts cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let part = |modulus: u32, shift: u64| ((hash / shift) % u64::from(modulus)) as u32;
        match every {
            Every::Minutes(n) => Self {
                every,
                minute: part(n, 1),
                hour: 0,
            },
            Every::Hours(n) => Self {
                every,
                minute: part(60, 1),
                hour: part(n, 60),
            },
            Every::Day => Self {
                every,
                minute: part(60, 1),
                hour: part(24, 60),
            },
        }
    }

    /// The minutes of the hour the job runs at (every minute for `1m`).
    #[must_use]
    pub fn minutes(&self) -> Vec<u32> {
        match self.every {
            Every::Minutes(n) => (self.minute..60).step_by(n as usize).collect(),
            Every::Hours(_) | Every::Day => vec![self.minute],
        }
    }

    /// The hours of the day the job runs in (every hour for `Minutes` and `1h`).
    #[must_use]
    pub fn hours(&self) -> Vec<u32> {
        match self.every {
            Every::Minutes(_) => (0..24).collect(),
            Every::Hours(n) => (self.hour..24).step_by(n as usize).collect(),
            Every::Day => vec![self.hour],
        }
    }

    /// When it runs, in words: `every 1h, at minute 37`.
    #[must_use]
    pub fn describe(&self) -> String {
        let list = |v: Vec<u32>, width: usize| {
            v.iter()
                .map(|n| format!("{n:0width$}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.every {
            Every::Minutes(1) => "every minute".to_owned(),
            Every::Minutes(_) | Every::Hours(1) => format!(
                "every {}, at minute {} of each hour",
                self.every,
                list(self.minutes(), 2)
            ),
            Every::Hours(_) => format!(
                "every {}, at {:02}:{:02} and every {} after",
                self.every, self.hour, self.minute, self.every
            ),
            Every::Day => format!("every day at {:02}:{:02}", self.hour, self.minute),
        }
    }
}

/// Everything the printed job needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// When it runs.
    pub slot: Slot,
    /// The shopsync binary, absolute.
    pub binary: PathBuf,
    /// The folder it runs in (where `config.json` and `.env` are looked for), absolute.
    pub folder: PathBuf,
    /// `--config PATH` to pass on, absolute.
    pub config: Option<PathBuf>,
    /// The log file, absolute: cron appends the job's output to it.
    pub log_file: PathBuf,
    /// The shop's handle, when configured: it names the systemd units.
    pub shop: Option<String>,
}

impl Job {
    /// Why the job does not run at :00, as a comment line starting with `prefix` (none for `1m`).
    fn spread_note(&self, prefix: &str) -> String {
        if self.slot.every == Every::Minutes(1) {
            return String::new();
        }
        let seed = if self.shop.is_some() {
            "the shop's name"
        } else {
            "the folder's path"
        };
        format!(
            "{prefix}(the time comes from a hash of {seed}, so that shops do not all call Shopify\n\
             {prefix}at :00).\n"
        )
    }

    /// The arguments after the binary: `[--config PATH] -q sync`.
    fn args(&self) -> Vec<&Path> {
        let mut args = Vec::new();
        if let Some(config) = &self.config {
            args.push(Path::new("--config"));
            args.push(config.as_path());
        }
        args.push(Path::new("-q"));
        args.push(Path::new("sync"));
        args
    }
}

/// A path that no scheduler format can carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot schedule with the path {path:?}: {why}; move the folder or the file to a simpler path"
)]
pub struct ScheduleError {
    /// The path, as far as it can be shown.
    pub path: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// A job for the unit tests of each format: `/usr/local/bin/shopsync` syncing `/srv/shop`.
#[cfg(test)]
fn sample_job(every: Every, minute: u32, hour: u32) -> Job {
    Job {
        slot: Slot {
            every,
            minute,
            hour,
        },
        binary: PathBuf::from("/usr/local/bin/shopsync"),
        folder: PathBuf::from("/srv/shop"),
        config: None,
        log_file: PathBuf::from("/srv/shop/shopify_sync.log"),
        shop: Some("acme".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepts_what_cron_repeats_evenly_and_refuses_the_rest() {
        let ok = [
            ("1m", Every::Minutes(1)),
            ("15m", Every::Minutes(15)),
            ("30min", Every::Minutes(30)),
            ("60m", Every::Hours(1)),
            ("1h", Every::Hours(1)),
            ("2h", Every::Hours(2)),
            ("12h", Every::Hours(12)),
            ("24h", Every::Day),
            ("1d", Every::Day),
            ("1440m", Every::Day),
        ];
        for (text, every) in ok {
            assert_eq!(Every::parse(text), Ok(every), "{text}");
        }
        for text in ["7m", "45m", "90m", "5h", "2d", "7d", "25h"] {
            let err = Every::parse(text).expect_err(text);
            assert!(
                err.starts_with("cron cannot run a job every"),
                "{text}: {err}"
            );
        }
        for text in [
            "",
            "h",
            "1",
            "1w",
            "1 h",
            "-1h",
            "1.5h",
            "0m",
            "99999999999h",
        ] {
            let err = Every::parse(text).expect_err(text);
            assert!(err.contains("is not an interval"), "{text}: {err}");
        }
    }

    #[test]
    fn the_slot_is_stable_for_a_shop_and_spread_across_shops() {
        let one = Slot::spread(Every::Hours(1), "acme.myshopify.com");
        assert_eq!(one, Slot::spread(Every::Hours(1), "acme.myshopify.com"));
        let minutes: std::collections::HashSet<u32> = (0..50)
            .map(|i| Slot::spread(Every::Hours(1), &format!("shop-{i}.myshopify.com")).minute)
            .collect();
        assert!(
            minutes.len() > 25,
            "50 shops share {} minutes",
            minutes.len()
        );
        assert!(!minutes.iter().all(|m| *m == 0));
    }

    #[test]
    fn slots_list_their_minutes_and_hours() {
        for (every, minutes, hours) in [(Every::Minutes(15), 4, 24), (Every::Hours(6), 1, 4)] {
            for seed in ["a", "b", "c", "d"] {
                let slot = Slot::spread(every, seed);
                assert_eq!(slot.minutes().len(), minutes, "{slot:?}");
                assert_eq!(slot.hours().len(), hours, "{slot:?}");
                assert!(slot.minutes().iter().all(|m| *m < 60));
                assert!(slot.hours().iter().all(|h| *h < 24));
            }
        }
        let slot = Slot {
            every: Every::Minutes(20),
            minute: 7,
            hour: 0,
        };
        assert_eq!(slot.minutes(), [7, 27, 47]);
        assert_eq!(
            slot.describe(),
            "every 20m, at minute 07, 27, 47 of each hour"
        );
        let slot = Slot {
            every: Every::Hours(8),
            minute: 5,
            hour: 3,
        };
        assert_eq!(slot.hours(), [3, 11, 19]);
        assert_eq!(slot.describe(), "every 8h, at 03:05 and every 8h after");
    }
}
