#![no_main]
//! See `shopsync::fuzzing::service_account_key`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::service_account_key(data));
