//! rapd_model
