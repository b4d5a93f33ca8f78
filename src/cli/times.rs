//! Showing stored UTC times to people: in the shop's time zone once a sync has recorded it, else in
//! UTC, and the output says which. Durations in a short human form.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// The time zone a command shows times and counts days in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    tz: Tz,
    shop: bool,
}

impl Zone {
    /// The shop's zone when known, else UTC.
    #[must_use]
    pub fn new(shop_tz: Option<Tz>) -> Self {
        match shop_tz {
            Some(tz) => Self { tz, shop: true },
            None => Self {
                tz: Tz::UTC,
                shop: false,
            },
        }
    }

    /// The zone itself.
    #[must_use]
    pub fn tz(self) -> Tz {
        self.tz
    }

    /// Whether this is the shop's own zone (false: UTC, because no sync recorded the shop's yet).
    #[must_use]
    pub fn is_shop(self) -> bool {
        self.shop
    }

    /// The IANA name, such as `America/New_York` or `UTC`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.tz.name()
    }

    /// One line saying which zone times are in, and why when it is not the shop's.
    #[must_use]
    pub fn describe(self) -> String {
        if self.shop {
            format!("{} (the shop's time zone)", self.name())
        } else {
            "UTC (the shop's time zone is not known until a sync records it)".to_owned()
        }
    }

    /// A time to the minute, with the zone's offset: `2026-03-08 01:30 -05:00`.
    #[must_use]
    pub fn minute(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %:z")
            .to_string()
    }

    /// A time to the second, with the zone's offset: `2026-03-08 01:30:05 -05:00`.
    #[must_use]
    pub fn second(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    }

    /// RFC 3339 with the zone's offset, for files: `2026-03-08T01:30:05-05:00`.
    #[must_use]
    pub fn rfc3339(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// A duration as people read it: `850ms`, `42s`, `3m 07s`, `2h 05m`.
#[must_use]
pub fn duration(d: chrono::TimeDelta) -> String {
    let ms = d.num_milliseconds().max(0);
    let secs = ms / 1000;
    match secs {
        0 => format!("{ms}ms"),
        1..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// Parses an age such as `90s`, `30m`, `2h`, `1d` or `1h30m` (units `s`, `m`/`min`, `h`, `d`, `w`).
///
/// # Errors
/// A message for the command line.
pub fn parse_age(text: &str) -> Result<chrono::TimeDelta, String> {
    let bad = || {
        format!(
            "\"{text}\" is not an age: write numbers with s, m, h, d or w, such as 2h, 90m or 1d"
        )
    };
    let mut rest = text.trim();
    let mut seconds: i64 = 0;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_end = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| digits + i);
        let (number, unit) = (&rest[..digits], rest[digits..unit_end].trim());
        let per_unit: i64 = match unit {
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(bad()),
        };
        let n: i64 = number.parse().map_err(|_| bad())?;
        seconds = n
            .checked_mul(per_unit)
            .and_then(|s| seconds.checked_add(s))
            .filter(|s| *s <= 3650 * 86_400)
            .ok_or_else(|| format!("\"{text}\" is too long an age: at most ten years"))?;
        rest = rest[unit_end..].trim_start();
    }
    if seconds == 0 {
        return Err(format!("\"{text}\" is not an age of at least one second"));
    }
    Ok(chrono::TimeDelta::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn times_show_in_the_shop_zone_with_its_offset_on_that_day() {
        let zone = Zone::new(Some(chrono_tz::America::New_York));
        let winter = Utc.with_ymd_and_hms(2026, 3, 8, 6, 30, 5).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 3, 8, 7, 30, 5).unwrap();
        assert_eq!(zone.minute(winter), "2026-03-08 01:30 -05:00");
        assert_eq!(zone.second(summer), "2026-03-08 03:30:05 -04:00");
        assert_eq!(zone.rfc3339(summer), "2026-03-08T03:30:05-04:00");
        assert!(zone.is_shop());
    }

    #[test]
    fn without_a_shop_zone_times_are_utc_and_say_so() {
        let zone = Zone::new(None);
        let t = Utc.with_ymd_and_hms(2026, 3, 8, 6, 30, 5).unwrap();
        assert_eq!(zone.minute(t), "2026-03-08 06:30 +00:00");
        assert_eq!(zone.rfc3339(t), "2026-03-08T06:30:05Z");
        assert!(
            zone.describe()
                .starts_with("UTC (the shop's time zone is not known")
        );
    }

    #[test]
    fn durations_read_naturally() {
        let cases = [
            (chrono::TimeDelta::milliseconds(850), "850ms"),
            (chrono::TimeDelta::seconds(42), "42s"),
            (chrono::TimeDelta::seconds(187), "3m 07s"),
            (chrono::TimeDelta::seconds(7500), "2h 05m"),
            (chrono::TimeDelta::seconds(-3), "0ms"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d), want);
        }
    }

    #[test]
    fn ages_are_numbers_with_units() {
        let secs = |t: &str| parse_age(t).map(|d| d.num_seconds());
        assert_eq!(secs("2h"), Ok(7200));
        assert_eq!(secs("90m"), Ok(5400));
        assert_eq!(secs("30min"), Ok(1800));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs("1d"), Ok(86_400));
        assert_eq!(secs("45s"), Ok(45));
        for bad in [
            "",
            "2",
            "h",
            "2 hours",
            "-1h",
            "0h",
            "1.5h",
            "99999999999999w",
        ] {
            assert!(parse_age(bad).is_err(), "{bad:?}");
        }
    }
}
