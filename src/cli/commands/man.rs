//! `shopsync man`: one man page, shopsync(1), on stdout, rendered by clap_mangen from the same
//! clap definitions as `--help`.
//!
//! clap_mangen makes one page per command (shopsync-sync(1), …); one page is what `man shopsync`
//! finds without installing sixteen, so each sub-command's synopsis, description and options are
//! folded into a COMMANDS section of the main page, followed by the exit codes and the
//! environment variables.

use std::io::Write as _;

use clap::CommandFactory as _;
use clap_mangen::Man;

use crate::cli::Cli;
use crate::cli::exit::{EXIT_CODES_HELP, Outcome};
use crate::config::keys;

/// Print the man page (roff). Install it with
/// `shopsync man > ~/.local/share/man/man1/shopsync.1`, then `man shopsync`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
///
/// # Errors
/// Writing to stdout failed (a broken pipe is classified as exit 0).
pub fn run(_args: &Args) -> anyhow::Result<Outcome> {
    super::write_stdout(&page()?)?;
    Ok(Outcome::Done)
}

/// The page, as roff.
fn page() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
    {
        out.extend_from_slice(&command_entry(sub)?);
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit_codes() {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff_text(meaning))?;
    }
    out.extend_from_slice(b".SH ENVIRONMENT\n");
    out.extend_from_slice(
        b"Each setting is read from config.json, ./.env or the environment (in rising order of \
          precedence):\n",
    );
    for key in keys::ALL {
        writeln!(
            out,
            ".TP\n\\fB{}\\fR\nconfig.json key \\fI{}\\fR",
            key.env, key.json
        )?;
    }
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// The rows of the exit-code table `--help` shows: `("0", "ok (also: …)")`.
fn exit_codes() -> impl Iterator<Item = (&'static str, &'static str)> {
    EXIT_CODES_HELP
        .lines()
        .filter_map(|line| line.trim_start().split_once("  "))
}

/// Text for a roff line: backslashes and hyphens escaped, a leading dot or quote defused.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', r"\e").replace('-', r"\-");
    if escaped.starts_with(['.', '\'']) {
        format!(r"\&{escaped}")
    } else {
        escaped
    }
}

/// One sub-command as a subsection: its synopsis, its description and its options, with the
/// section headings clap_mangen gives a page of its own folded away.
fn command_entry(sub: &clap::Command) -> std::io::Result<Vec<u8>> {
    // The global flags, --help and --version are on every command: the main page shows them once.
    let sub = sub.clone().mut_args(|arg| {
        let shared = arg.is_global_set() || matches!(arg.get_id().as_str(), "help" | "version");
        if shared { arg.hide(true) } else { arg }
    });
    let man = Man::new(sub.clone());
    let mut raw = Vec::new();
    man.render_synopsis_section(&mut raw)?;
    man.render_description_section(&mut raw)?;
    if sub.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(&mut raw)?;
    }
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let mut out = format!(".SS \"{name}\"\n");
    for line in String::from_utf8_lossy(&raw).lines() {
        match line {
            ".SH SYNOPSIS" => {}
            _ if line.starts_with(".SH ") => out.push_str(".PP\n"),
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_status_section_has_every_documented_code() {
        let codes: Vec<&str> = exit_codes().map(|(code, _)| code).collect();
        assert_eq!(codes, ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(roff_text(".x-y \\"), r"\&.x\-y \e");
    }
}
