//! Printing diagnostics: `file:line:column: message`, then a source excerpt (miette).

use codegen::diag::Diagnostic;
use miette::{GraphicalReportHandler, LabeledSpan, MietteDiagnostic, NamedSource, Report, Severity};

/// Prints one error of `file` (whose text is `text`) to stderr.
pub fn print(file: &str, text: &str, diagnostic: &Diagnostic) {
    emit(file, text, diagnostic, "error");
}

/// Prints one warning of `file` (whose text is `text`) to stderr.
pub fn print_warning(file: &str, text: &str, diagnostic: &Diagnostic) {
    emit(file, text, diagnostic, "warning");
}

fn emit(file: &str, text: &str, diagnostic: &Diagnostic, severity: &str) {
    let level = if severity == "warning" {
        Severity::Warning
    } else {
        Severity::Error
    };
    eprintln!(
        "{file}:{}:{}: {severity}: {}",
        diagnostic.line, diagnostic.column, diagnostic.message
    );
    let offset = byte_offset(text, diagnostic.line, diagnostic.column);
    let report = Report::new(
        MietteDiagnostic::new(diagnostic.message.clone())
            .with_severity(level)
            .with_label(LabeledSpan::at_offset(offset, "here")),
    )
    .with_source_code(NamedSource::new(file, text.to_owned()));
    let mut out = String::new();
    if GraphicalReportHandler::new()
        .render_report(&mut out, report.as_ref())
        .is_ok()
    {
        eprintln!("{out}");
    }
}

/// The byte offset of a 1-based line and char column (clamped to the text).
fn byte_offset(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let chars = l.char_indices().nth(column.saturating_sub(1) as usize);
            return offset + chars.map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}
