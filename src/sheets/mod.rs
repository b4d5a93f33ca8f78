//! Google Sheets client (placeholder while the emulator builds).
