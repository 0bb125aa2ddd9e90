use std::fmt;

use thiserror::Error;

/// Where in the roster a problem is: file, line (1-based, as an editor counts) and column
/// (1-based, with its header name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub file: &'static str,
    pub line: u64,
    pub column: usize,
    pub header: &'static str,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}, column {} ({})",
            self.file, self.line, self.column, self.header
        )
    }
}

/// Why a roster was refused. Nothing is imported when there is one.
///
/// Messages point at the problem but never repeat the roster's values: they are student data
/// and end up in logs.
#[derive(Debug, Error)]
pub enum RosterError {
    #[error("{file}: file not found")]
    MissingFile { file: &'static str },
    #[error("{file}: cannot be read")]
    Io {
        file: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: larger than the limit of {limit} bytes")]
    TooLarge { file: &'static str, limit: u64 },
    #[error("{file}: empty, a header row is needed")]
    NoHeader { file: &'static str },
    #[error("{file}: missing required column {column}")]
    MissingColumn {
        file: &'static str,
        column: &'static str,
    },
    #[error("{file}: columns {first} and {second} are both {column}")]
    DuplicateColumn {
        file: &'static str,
        column: &'static str,
        first: usize,
        second: usize,
    },
    #[error("{file} line {line}: not valid UTF-8 text")]
    NotUtf8 { file: &'static str, line: u64 },
    #[error("{file} line {line}: {problem}")]
    Syntax {
        file: &'static str,
        line: u64,
        problem: String,
    },
    #[error("{at}: {problem}")]
    BadValue { at: Cell, problem: &'static str },
    #[error("{at}: sourcedId already used on line {first_line}")]
    Duplicate { at: Cell, first_line: u64 },
    #[error("{at}: no active {target} has this sourcedId")]
    UnknownReference { at: Cell, target: &'static str },
}
