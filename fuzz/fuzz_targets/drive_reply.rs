#![no_main]
//! See `shopsync::fuzzing::drive_reply`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::drive_reply(data));
