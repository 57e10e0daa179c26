//! Native venv creation (placeholder: see `cmd/create.rs`).
