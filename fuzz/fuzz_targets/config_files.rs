#![no_main]
//! See `shopsync::fuzzing::config_files`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::config_files(data));
