//! The benchmark's harness: the emulator world, the child-process runner, the cost minimum and
//! the report table.

pub mod bulk;
pub mod child;
pub mod cost;
pub mod report;
pub mod world;
