//! The one integration-test binary: it runs the real `shopsync` binary in a temp dir with a cleared
//! environment.
//!
//! Modules:
//! - `alerts`: healthcheck pings and the failure webhook against a local recorder; endpoints down.
//! - `support`: the temp-dir harness and helpers shared by every test.
//! - `fixture`: a tracking store populated through the store's API, and snapshot filters.
//! - `help`: `--help` of every command, snapshotted, so docs cannot drift silently.
//! - `config`: bad configuration gives exit 2 with every problem listed, before any network call.
//! - `world`: both emulators on loopback and a working directory configured for them.
//! - `missing`: reconciliation: gaps explained and remembered, deleted rows written back.
//! - `sync`: the sync end to end against the emulators; each test is a promise of DESIGN.md.
//! - `sync_updates`: orders changed in Shopify are updated in place; `--force`, `reset`, formulas, long notes.
//! - `sync_bulk`: backfills exported in bulk, and every way an export fails falling back to paging.
//! - `sync_cursor`: the window's overlap catches late-shown changes; an empty window moves the cursor.
//! - `sync_dry_run`: `sync --test` sends no write, changes no tracking table, leaves its plan on disk.
//! - `sync_first_tab`: the first run on no tab, an empty tab, a header-only tab and a headerless tab
//!   with data, both `sync --test` and `sync`.
//! - `sync_crashes`: kill -9 mid-write, ambiguous writes and two syncs at once: still exactly once.
//! - `sync_people`: a person sorting, inserting rows and adding a column between runs is never trampled.
//! - `sync_nothing_lost`: an order Google refuses fails alone, is listed, and is fetched by ID next run.
//! - `sync_flaky`: expiring tokens, THROTTLED, 429 and 5xx bursts on both sides: the run completes.
//! - `sync_failures`: a failed sync is listed by `errors`, counted by `status`, logged as ERROR,
//!   and resolved by the next sync that completes; a held lock is none of these.
//! - `sync_bad_inputs`: revoked token, wrong spreadsheet, foreign binding, corrupt DB: exit code, DB intact.
//! - `local_commands`: `status`, `orders`, `errors` and `report` on a populated store.
//! - `export`: CSV and JSON files, formula neutralising, owner-only mode, `--force`.
//! - `report_html`: `report --html`: a self-contained page, rendered by headless Chromium, with its bars.
//! - `reset`: number forms, unknown numbers, the sync lock.
//! - `refusals`: before the first sync, garbage and foreign databases: nothing created or changed.
//! - `same_rules`: `-q`, `--json` failures, numbers out of range, unknown keys and export formats,
//!   `demo`'s options: the same rules for every command.
//! - `secrets`: no secret in any output of the local commands.
//! - `terminal`: a sync under a pseudo-terminal: warnings above the bars, no bar left behind.
//! - `unreachable`: a closed port or an unknown host on each address: one line naming it, a few
//!   attempts, exit 3.
//! - `validate`: every check against the emulators, each broken piece failing its own check, and
//!   nothing written anywhere.
//! - `demo`: `shopsync demo` runs every step against its own sandbox; foreign folders are refused.
//! - `demo_serve`: `demo --serve` keeps the sandbox running for any client and stops on SIGINT.
//! - `backup`: a verified copy taken while a sync holds the lock; owner-only; `--force`; refusals.
//! - `schedule`: crontab line and systemd units, run as cron runs them and checked by systemd.
//! - `migration`: the prior Python tool's commands, database, log and tab, as the README describes.
//! - `completions`: completion scripts for every shell and the man page, generated and checked.

mod alerts;
mod backup;
mod completions;
mod config;
mod demo;
mod demo_serve;
mod export;
mod fixture;
mod help;
mod local_commands;
mod migration;
mod missing;
mod refusals;
mod report_html;
mod reset;
mod same_rules;
mod schedule;
mod secrets;
mod support;
mod sync;
mod sync_bad_inputs;
mod sync_bulk;
mod sync_crashes;
mod sync_cursor;
mod sync_dry_run;
mod sync_failures;
mod sync_first_tab;
mod sync_flaky;
mod sync_nothing_lost;
mod sync_people;
mod sync_updates;
mod terminal;
mod unreachable;
mod validate;
mod world;
