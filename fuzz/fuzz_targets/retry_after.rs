#![no_main]
//! See `shopsync::fuzzing::retry_after`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::retry_after(data));
