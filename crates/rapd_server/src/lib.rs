//! rapd_server
