//! Quoting a path for each reader: the POSIX shell cron hands its command to, systemd's command
//! line, and systemd's plain path settings. A path none of them can carry is refused rather than
//! printed so that it would run something else.

use std::path::Path;

use super::ScheduleError;

/// Characters that mean nothing to a shell, to cron or to systemd, so a path made of them only is
/// printed as it is.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@=".contains(c))
}

/// The path as text, refused when it is not UTF-8 or holds a line break (crontab and unit files
/// are read line by line: a line break would end the command).
pub(super) fn text(path: &Path) -> Result<&str, ScheduleError> {
    let text = path.to_str().ok_or_else(|| ScheduleError {
        path: path.to_string_lossy().into_owned(),
        why: "it is not valid UTF-8",
    })?;
    if text.contains(['\n', '\r']) {
        return Err(ScheduleError {
            path: text.to_owned(),
            why: "it holds a line break",
        });
    }
    Ok(text)
}

/// One word for `/bin/sh`: as it is when plain, else in single quotes (inside which nothing is
/// special, and a single quote is written `'\''`).
pub(super) fn shell(path: &Path) -> Result<String, ScheduleError> {
    let text = text(path)?;
    Ok(if plain(text) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    })
}

/// One word of a systemd `ExecStart=`: as it is when plain, else in double quotes with `\` and `"`
/// escaped; `%` (a specifier) and `$` (a variable) are doubled wherever they are.
/// See: systemd.service(5), "Command lines"; systemd.unit(5), "Specifiers".
pub(super) fn systemd_word(path: &Path) -> Result<String, ScheduleError> {
    let text = text(path)?;
    if plain(text) {
        return Ok(text.to_owned());
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// A systemd path setting (`WorkingDirectory=`): taken as the rest of the line, so not quoted,
/// with `%` doubled (specifiers are expanded there too). The unit-file reader trims the line, so a
/// path that starts or ends with white space is refused.
pub(super) fn systemd_path(path: &Path) -> Result<String, ScheduleError> {
    let text = text(path)?;
    if text.trim() != text {
        return Err(ScheduleError {
            path: text.to_owned(),
            why: "a systemd unit cannot hold a path that starts or ends with white space",
        });
    }
    Ok(text.replace('%', "%%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_gets_its_own_quoting() {
        let cases = [
            // (path, shell, systemd word, systemd path)
            ("/srv/shop", "/srv/shop", "/srv/shop", "/srv/shop"),
            (
                "/srv/my shop",
                "'/srv/my shop'",
                "\"/srv/my shop\"",
                "/srv/my shop",
            ),
            (
                "/srv/Bob's 100% $shop",
                r"'/srv/Bob'\''s 100% $shop'",
                "\"/srv/Bob's 100%% $$shop\"",
                "/srv/Bob's 100%% $shop",
            ),
            (r#"/a\b"c"#, r#"'/a\b"c'"#, r#""/a\\b\"c""#, r#"/a\b"c"#),
            ("/~x", "'/~x'", "\"/~x\"", "/~x"),
        ];
        for (path, sh, word, setting) in cases {
            let path = Path::new(path);
            assert_eq!(shell(path).unwrap(), sh, "{path:?}");
            assert_eq!(systemd_word(path).unwrap(), word, "{path:?}");
            assert_eq!(systemd_path(path).unwrap(), setting, "{path:?}");
        }
    }

    #[test]
    fn line_breaks_and_edge_spaces_are_refused() {
        let broken = Path::new("/srv/a\nb");
        assert!(shell(broken).is_err());
        assert!(systemd_word(broken).is_err());
        assert!(systemd_path(Path::new("/srv/shop ")).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt as _;
            let latin1 = Path::new(std::ffi::OsStr::from_bytes(b"/srv/caf\xe9"));
            assert!(shell(latin1).unwrap_err().to_string().contains("UTF-8"));
        }
    }
}
