#![no_main]
//! See `shopsync::fuzzing::dotenv`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::dotenv(data));
