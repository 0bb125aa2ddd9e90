//! One OneRoster CSV file as a table: bounded reading, the header row mapped to the columns a
//! file needs, and typed access to each row's cells with their location for errors.

use std::io::Read;

use csv::{ByteRecord, ErrorKind, ReaderBuilder, Trim};

use crate::error::{Cell, RosterError};

/// Largest file accepted. A district's users.csv with 100,000 people is about 20 MB; the limit
/// keeps a wrong or hostile upload from filling memory.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads at most [`MAX_FILE_BYTES`] from `reader`.
pub fn read_limited(file: &'static str, reader: impl Read) -> Result<Vec<u8>, RosterError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| RosterError::Io { file, source })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(RosterError::TooLarge {
            file,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// A parsed file: the columns found (by spec name, 0-based index) and the rows as text.
#[derive(Debug)]
pub struct Table {
    file: &'static str,
    columns: Vec<(&'static str, usize)>,
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    line: u64,
    fields: Vec<String>,
}

impl Table {
    /// Parses `bytes` as CSV with a header row. Columns are matched by name in any order and
    /// any ASCII case; columns not in `required` or `optional` are ignored.
    pub fn parse(
        file: &'static str,
        bytes: &[u8],
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Self, RosterError> {
        // Spreadsheet programs write a byte-order mark that would otherwise stick to the first
        // column's name.
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .trim(Trim::All)
            .from_reader(bytes);
        let header = reader
            .byte_headers()
            .map_err(|e| syntax(file, &e, &mut Lines::new(bytes)))?
            .clone();
        if header.iter().all(<[u8]>::is_empty) {
            return Err(RosterError::NoHeader { file });
        }
        let columns = map_columns(file, &header, required, optional)?;

        let mut lines = Lines::new(bytes);
        let mut rows = Vec::new();
        let mut record = ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(syntax(file, &e, &mut lines)),
            }
            let line = lines.at(record.position().map_or(0, csv::Position::byte));
            let fields = record
                .iter()
                .map(|f| String::from_utf8(f.to_vec()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| RosterError::NotUtf8 { file, line })?;
            rows.push(Row { line, fields });
        }
        Ok(Self {
            file,
            columns,
            rows,
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.rows.iter().map(|row| RowRef { table: self, row })
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(name, _)| *name == column)
            .map(|&(_, i)| i)
    }
}

fn map_columns(
    file: &'static str,
    header: &ByteRecord,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<Vec<(&'static str, usize)>, RosterError> {
    let mut columns = Vec::new();
    for &name in required.iter().chain(optional) {
        let mut found = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(first), Some(second)) => {
                return Err(RosterError::DuplicateColumn {
                    file,
                    column: name,
                    first: first + 1,
                    second: second + 1,
                });
            }
            (Some(i), None) => columns.push((name, i)),
            (None, _) if required.contains(&name) => {
                return Err(RosterError::MissingColumn { file, column: name });
            }
            (None, _) => {}
        }
    }
    Ok(columns)
}

fn syntax(file: &'static str, error: &csv::Error, lines: &mut Lines<'_>) -> RosterError {
    let line = lines.at(error.position().map_or(0, csv::Position::byte));
    let problem = match error.kind() {
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header row has {expected_len}"),
        _ => "not readable as CSV".to_owned(),
    };
    RosterError::Syntax {
        file,
        line,
        problem,
    }
}

/// Line numbers from byte offsets. The csv crate's own line count misses line breaks inside
/// quoted fields (a multi-line address or name), which would make every later error point at
/// the wrong line.
#[derive(Debug)]
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at byte `at`. Records come in order, so
    /// counting resumes where the previous call stopped and a whole file costs one pass.
    fn at(&mut self, at: u64) -> u64 {
        let mut at = usize::try_from(at)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        // After a CRLF the reader reports the record as starting on the LF; blank lines before
        // a record are skipped the same way. The record's line is that of its first character.
        while matches!(self.bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        if at < self.offset {
            *self = Self::new(self.bytes);
        }
        let newlines = self.bytes[self.offset..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u64;
        self.offset = at;
        self.line
    }
}

/// One row, with the table it belongs to for column lookups.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    table: &'a Table,
    row: &'a Row,
}

impl<'a> RowRef<'a> {
    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// The location of `column` in this row.
    pub fn cell(&self, column: &'static str) -> Cell {
        Cell {
            file: self.table.file,
            line: self.row.line,
            column: self.table.index(column).map_or(0, |i| i + 1),
            header: column,
        }
    }

    /// The trimmed value of `column`; empty when the column is absent.
    pub fn value(&self, column: &'static str) -> &'a str {
        self.table
            .index(column)
            .and_then(|i| self.row.fields.get(i))
            .map_or("", String::as_str)
    }

    /// The value of a column that must not be empty.
    pub fn required(&self, column: &'static str) -> Result<&'a str, RosterError> {
        match self.value(column) {
            "" => Err(self.bad(column, "must not be empty")),
            value => Ok(value),
        }
    }

    /// A comma-separated list held in one (quoted) field, empty items dropped.
    pub fn list(&self, column: &'static str) -> Vec<String> {
        self.value(column)
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether the row is live: `status` blank or `active`. `tobedeleted` rows are dropped by
    /// the caller (after duplicate checks, which cover them too).
    pub fn is_active(&self) -> Result<bool, RosterError> {
        let status = self.value("status");
        if status.is_empty() || status.eq_ignore_ascii_case("active") {
            Ok(true)
        } else if status.eq_ignore_ascii_case("tobedeleted") {
            Ok(false)
        } else {
            Err(self.bad("status", "must be active or tobedeleted"))
        }
    }

    pub fn bad(&self, column: &'static str, problem: &'static str) -> RosterError {
        RosterError::BadValue {
            at: self.cell(column),
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(data: &str) -> Vec<u64> {
        let table = Table::parse("t.csv", data.as_bytes(), &["a"], &["b"]).unwrap();
        table.rows().map(|r| r.line()).collect()
    }

    #[test]
    fn lines_count_lf_crlf_blank_lines_and_breaks_inside_quotes() {
        assert_eq!(lines_of("a,b\n1,x\n2,y\n"), [2, 3]);
        assert_eq!(lines_of("a,b\r\n1,x\r\n2,y\r\n"), [2, 3]);
        assert_eq!(lines_of("a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n3,w"), [2, 5, 6]);
        assert_eq!(lines_of("a,b\n\"1\n\n\",x\n2,y\n"), [2, 5]);
    }
}
