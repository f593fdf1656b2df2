#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rapd_fuzz_targets::odata_query(data));
