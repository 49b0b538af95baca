//! The operating system behind the `Clock` and `IdGenerator` ports: wall-clock time
//! and the OS's CSPRNG.

mod clock;
mod ids;

pub use clock::SystemClock;
pub use ids::RandomIdGenerator;
