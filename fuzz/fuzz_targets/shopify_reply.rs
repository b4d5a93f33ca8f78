#![no_main]
//! See `shopsync::fuzzing::shopify_reply`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::shopify_reply(data));
