//! A systemd user service and timer, printed one after the other, each under a comment naming the
//! file to save it as.
//!
//! User units (`~/.config/systemd/user/`) run as the user that sets them up, who owns the
//! owner-only database, and need no root. The service's output goes to the journal, the systemd
//! way; the details still go to shopsync's own log file. systemd never starts a second run of the
//! service while one is going, so timers do not pile up behind a long backfill.
//! See: systemd.service(5), systemd.timer(5), systemd.time(7).

use super::{Every, Job, ScheduleError, quote};

/// The service and the timer for `job`, with the commands that install them as comments.
///
/// # Errors
/// A path that a unit file cannot carry (a line break, not UTF-8, white space at an end).
pub fn units(job: &Job) -> Result<String, ScheduleError> {
    let name = unit_name(job);
    let mut exec = quote::systemd_word(&job.binary)?;
    for arg in job.args() {
        exec.push(' ');
        exec.push_str(&quote::systemd_word(arg)?);
    }
    let folder = quote::systemd_path(&job.folder)?;
    let label = folder.clone();
    let dir = "~/.config/systemd/user";
    Ok(format!(
        "# shopsync in {shown}: sync {when}\n\
         {spread}\
         # Save the two units below as {dir}/{name}.service\n\
         # and {dir}/{name}.timer, as the user that owns the folder, then:\n\
         #   systemctl --user daemon-reload\n\
         #   systemctl --user enable --now {name}.timer\n\
         #   loginctl enable-linger \"$USER\"   # so that it runs while you are logged out\n\
         # An error goes to the journal (journalctl --user -u {name}), the details to\n\
         # {log}.\n\
         \n\
         # {dir}/{name}.service\n\
         [Unit]\n\
         Description=shopsync: Shopify orders to Google Sheets ({label})\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         WorkingDirectory={folder}\n\
         ExecStart={exec}\n\
         UMask=0077\n\
         \n\
         # {dir}/{name}.timer\n\
         [Unit]\n\
         Description=Run {name}.service {when} ({label})\n\
         \n\
         [Timer]\n\
         OnCalendar={calendar}\n\
         Persistent=true\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        shown = job.folder.display(),
        when = job.slot.describe(),
        spread = job.spread_note("# "),
        log = job.log_file.display(),
        calendar = on_calendar(job),
    ))
}

/// `shopsync-acme` for the shop `acme`, else `shopsync-<folder name>`, in the characters a unit
/// name may hold.
fn unit_name(job: &Job) -> String {
    let base = job.shop.clone().or_else(|| {
        job.folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    });
    let mut slug = String::new();
    for c in base.unwrap_or_default().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "shopsync".to_owned()
    } else {
        format!("shopsync-{slug}")
    }
}

/// The timer's `OnCalendar=`: `start/step` repeats within the hour or the day, as cron's lists do.
fn on_calendar(job: &Job) -> String {
    let slot = &job.slot;
    let (hour, minute) = match slot.every {
        Every::Minutes(1) => ("*".to_owned(), "*".to_owned()),
        Every::Minutes(n) => ("*".to_owned(), format!("{:02}/{n}", slot.minute)),
        Every::Hours(1) => ("*".to_owned(), format!("{:02}", slot.minute)),
        Every::Hours(n) => (
            format!("{:02}/{n}", slot.hour),
            format!("{:02}", slot.minute),
        ),
        Every::Day => (format!("{:02}", slot.hour), format!("{:02}", slot.minute)),
    };
    format!("*-*-* {hour}:{minute}:00")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Paths that need quoting, and no shop yet.
    fn job(every: Every, minute: u32, hour: u32) -> Job {
        Job {
            binary: PathBuf::from("/opt/shop sync/shopsync"),
            folder: PathBuf::from("/srv/100% shop"),
            log_file: PathBuf::from("/srv/100% shop/shopify_sync.log"),
            shop: None,
            ..super::super::sample_job(every, minute, hour)
        }
    }

    #[test]
    fn calendars_for_each_interval() {
        let cases = [
            (Every::Minutes(1), 0, 0, "*-*-* *:*:00"),
            (Every::Minutes(15), 7, 0, "*-*-* *:07/15:00"),
            (Every::Hours(1), 37, 0, "*-*-* *:37:00"),
            (Every::Hours(2), 37, 1, "*-*-* 01/2:37:00"),
            (Every::Day, 5, 3, "*-*-* 03:05:00"),
        ];
        for (every, minute, hour, expected) in cases {
            assert_eq!(on_calendar(&job(every, minute, hour)), expected, "{every}");
        }
    }

    #[test]
    fn units_are_named_for_the_shop_else_the_folder() {
        let mut j = job(Every::Hours(1), 0, 0);
        assert_eq!(unit_name(&j), "shopsync-100-shop");
        j.shop = Some("acme_eu".to_owned());
        assert_eq!(unit_name(&j), "shopsync-acme_eu");
        j.shop = None;
        j.folder = PathBuf::from("/");
        assert_eq!(unit_name(&j), "shopsync");
    }

    #[test]
    fn paths_are_quoted_and_percent_signs_doubled() {
        let text = units(&job(Every::Hours(1), 37, 0)).unwrap();
        assert!(
            text.contains("\nWorkingDirectory=/srv/100%% shop\n"),
            "{text}"
        );
        assert!(
            text.contains("\nExecStart=\"/opt/shop sync/shopsync\" -q sync\n"),
            "{text}"
        );
        assert!(text.contains("(/srv/100%% shop)\n"), "{text}");
    }
}
