//! workbook: the learner's CLI (being written).
mod book;

fn main() {
    let _ = book::build;
}
