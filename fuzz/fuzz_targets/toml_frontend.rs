#![no_main]
//! Arbitrary bytes as a `*.formula.toml` file: the toml front-end alone, then the whole pipeline.

use gtc::syntax::Format;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::run(data, Format::Toml, "fuzz.formula.toml"));
