//! The operating system behind the `Clock`, `IdGenerator` and `Background` ports:
//! wall-clock time, the OS's CSPRNG and tasks on the tokio runtime.

mod clock;
mod ids;
mod tasks;

pub use clock::SystemClock;
pub use ids::RandomIdGenerator;
pub use tasks::TokioBackground;
