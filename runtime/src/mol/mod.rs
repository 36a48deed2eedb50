//! Molecule operations over the ledger: pour and wisp (instantiate a cooked formula),
//! bond, squash, burn, distill.

pub mod bond;
pub mod burn;
pub mod distill;
pub mod pour;
pub mod proto;
pub mod squash;
pub mod tree;
