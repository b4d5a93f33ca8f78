#![no_main]
//! See `shopsync::fuzzing::bulk_jsonl`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| shopsync::fuzzing::bulk_jsonl(data));
