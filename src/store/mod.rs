//! The SQLite tracking store: what was synced, runs, errors, the cursor, and the lock.
