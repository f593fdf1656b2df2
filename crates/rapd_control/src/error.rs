//! Why the test-control API refuses. The server turns each into its Graph-shaped error (see
//! [`Refusal`](crate::Refusal)): the wording and status live in the server's one table.

use rapd_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No admin token, or another one.
    #[error("the test-control API needs its admin token")]
    Unauthorized,
    /// A client off the loopback interface while `allow_remote` is off.
    #[error("the test-control API answers loopback clients only")]
    Remote,
    #[error("invalid test-control request: {0}")]
    Invalid(String),
    /// `DELETE /_rapd/faults/{id}` of a rule that is not held (never added, used up, removed).
    #[error("no fault rule {0}")]
    NoSuchFaultRule(u64),
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// A fault the fault-injection rules or the trigger header asked for.
    #[error("injected fault {status}")]
    InjectedFault { status: u16, retry_after_secs: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}
