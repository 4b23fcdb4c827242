//! Terraform values (cty) and their wire encodings.
