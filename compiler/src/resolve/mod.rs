//! Name resolution between formulas: which file a name means, and what a formula
//! inherits through `extends`. (Expansion, advice and loops are resolved when cooking.)

mod extends;
mod names;

pub use extends::{Bequest, Inheritance, InheritedStep, inheritance};
pub use names::{
    FormulaInfo, NameIndex, Names, Resolution, WHERE_NAMES_RESOLVE, build_name_index, explain,
};
