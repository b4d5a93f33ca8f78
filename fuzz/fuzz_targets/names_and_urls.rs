#![no_main]
//! See `shopsync::fuzzing::names_and_urls`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::names_and_urls(data));
