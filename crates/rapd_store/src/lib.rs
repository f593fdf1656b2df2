//! rapd_store
