//! Molecule operations over the ledger: pour and wisp (instantiate a cooked formula),
//! bond, squash, burn, distill.

pub mod pour;
pub mod proto;
