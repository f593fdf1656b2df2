//! The operations of the resource, for cases that try each one.

/// Every operation on the resource, in an order that leaves the partner to the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    List,
    Count,
    Get,
    Create,
    Update,
    BeginOnboarding,
    Disconnect,
    Delete,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::List,
        Op::Count,
        Op::Get,
        Op::Create,
        Op::Update,
        Op::BeginOnboarding,
        Op::Disconnect,
        Op::Delete,
    ];
    pub const READS: [Op; 3] = [Op::List, Op::Count, Op::Get];
    pub const WRITES: [Op; 5] = [
        Op::Create,
        Op::Update,
        Op::BeginOnboarding,
        Op::Disconnect,
        Op::Delete,
    ];
    /// The operations on one existing partner: the cross-tenant set of J48 / A1.
    pub const ON_ONE: [Op; 5] = [
        Op::Get,
        Op::Update,
        Op::BeginOnboarding,
        Op::Disconnect,
        Op::Delete,
    ];

    /// The status of success.
    pub fn success(self) -> u16 {
        match self {
            Op::List | Op::Count | Op::Get | Op::Update => 200,
            Op::Create => 201,
            Op::BeginOnboarding | Op::Disconnect | Op::Delete => 204,
        }
    }
}
