//! The sheet crate's integration tests: real PDFs, rasterised by poppler's `pdftoppm` and read
//! back with the project's own scanner.

mod decode;
mod document;
mod hostile;
mod support;
