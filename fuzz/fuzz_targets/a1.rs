#![no_main]
//! See `shopsync::fuzzing::a1`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::a1(data));
