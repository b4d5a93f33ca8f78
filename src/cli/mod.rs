//! The command line: clap definitions, dispatch, rendering and exit codes.
