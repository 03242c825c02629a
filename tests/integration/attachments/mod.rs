//! Attachments (issue 15): real files through presigned URLs into moto's S3, the upload
//! check (run by the dev server's stand-in for the S3 notification), downloads, bad input
//! and who may see what.

mod authorization;
mod bad_input;
mod flows;
mod posting;
mod support;
