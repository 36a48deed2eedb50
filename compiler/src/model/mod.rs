//! The typed formula model and its lowering from the syntax tree.

mod json_value;
mod lower;
pub mod schema;
mod types;

pub(crate) use lower::key_chars;
pub use lower::{is_var_name, lower};
pub use types::*;
