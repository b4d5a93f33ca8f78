#![no_main]
//! See `shopsync::fuzzing::google_reply`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::google_reply(data));
