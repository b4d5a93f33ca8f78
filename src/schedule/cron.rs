//! The crontab line, with comments a person reads before adding it with `crontab -e`.
//!
//! cron hands the command to `/bin/sh` after turning every unescaped `%` into a line break (and
//! what follows into the command's input), so paths are shell-quoted and then each `%` escaped.
//! Only lists are used in the time fields (`7,22,37,52`), never `*/15` steps, which POSIX cron
//! lacks. See: crontab(5); POSIX `crontab`.

use super::{Every, Job, ScheduleError, quote};

/// The crontab text for `job`: comment lines and the job line, each ending in a newline.
///
/// # Errors
/// A path that cron cannot carry (a line break, not UTF-8).
pub fn crontab(job: &Job) -> Result<String, ScheduleError> {
    let log = quote::shell(&job.log_file)?;
    let mut command = format!(
        "cd {} && umask 077 && {}",
        quote::shell(&job.folder)?,
        quote::shell(&job.binary)?
    );
    for arg in job.args() {
        command.push(' ');
        command.push_str(&quote::shell(arg)?);
    }
    command.push_str(&format!(" >>{log} 2>&1"));
    let command = command.replace('%', r"\%");
    Ok(format!(
        "# shopsync in {folder}: sync {when}\n\
         {spread}\
         # Add it with `crontab -e` as the user that owns the folder. Output (with -q, only when\n\
         # something is wrong) is appended to the log, kept owner-only by umask 077; drop\n\
         # `>>{log} 2>&1` to have cron mail it instead.\n\
         {fields} {command}\n",
        folder = job.folder.display(),
        when = job.slot.describe(),
        spread = job.spread_note("# "),
        fields = fields(job),
    ))
}

/// The five time fields.
fn fields(job: &Job) -> String {
    let list = |v: Vec<u32>| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let slot = &job.slot;
    let (minute, hour) = match slot.every {
        Every::Minutes(1) => ("*".to_owned(), "*".to_owned()),
        Every::Minutes(_) | Every::Hours(1) => (list(slot.minutes()), "*".to_owned()),
        Every::Hours(_) | Every::Day => (list(slot.minutes()), list(slot.hours())),
    };
    format!("{minute} {hour} * * *")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn job(every: Every, minute: u32, hour: u32) -> Job {
        super::super::sample_job(every, minute, hour)
    }

    #[test]
    fn time_fields_for_each_interval() {
        let cases = [
            (Every::Minutes(1), 0, 0, "* * * * *"),
            (Every::Minutes(15), 7, 0, "7,22,37,52 * * * *"),
            (Every::Minutes(30), 29, 0, "29,59 * * * *"),
            (Every::Hours(1), 37, 0, "37 * * * *"),
            (
                Every::Hours(2),
                37,
                1,
                "37 1,3,5,7,9,11,13,15,17,19,21,23 * * *",
            ),
            (Every::Hours(12), 0, 11, "0 11,23 * * *"),
            (Every::Day, 5, 3, "5 3 * * *"),
        ];
        for (every, minute, hour, expected) in cases {
            assert_eq!(fields(&job(every, minute, hour)), expected, "{every}");
        }
    }

    #[test]
    fn percent_signs_are_escaped_everywhere_in_the_command() {
        let mut job = job(Every::Hours(1), 37, 0);
        job.folder = PathBuf::from("/srv/100% shop");
        job.log_file = PathBuf::from("/srv/100% shop/sync%.log");
        job.config = Some(PathBuf::from("/etc/shop%/config.json"));
        let text = crontab(&job).unwrap();
        let line = text.lines().last().unwrap();
        assert_eq!(
            line,
            r"37 * * * * cd '/srv/100\% shop' && umask 077 && /usr/local/bin/shopsync --config '/etc/shop\%/config.json' -q sync >>'/srv/100\% shop/sync\%.log' 2>&1"
        );
        assert!(text.lines().filter(|l| !l.starts_with('#')).count() == 1);
    }
}
