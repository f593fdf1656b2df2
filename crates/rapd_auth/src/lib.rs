//! rapd_auth
