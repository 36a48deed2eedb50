//! `gtc`: the formula compiler.
//!
//! The stages flow one way: [`source`] -> [`syntax`] -> [`expr`] / [`model`] ->
//! [`resolve`] -> [`check`]; [`db`] exposes them as salsa queries shared by the
//! CLI and the language server. See ARCHITECTURE.md for the map.

pub mod check;
pub mod cli;
pub mod cook;
pub mod db;
pub mod diagnostic;
pub mod driver;
pub mod expr;
pub mod model;
pub mod resolve;
pub mod source;
pub mod syntax;
