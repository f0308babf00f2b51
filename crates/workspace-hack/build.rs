// Cargo only resolves [build-dependencies] for a package with a build
// script, so this one exists and does nothing (see Cargo.toml).
fn main() {}
