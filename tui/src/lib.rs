//! The TUI debugger (issue 7). Not written yet: this crate only reserves its place in the workspace.
