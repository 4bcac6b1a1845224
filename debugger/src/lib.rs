//! The debugger core (issue 6). Not written yet: this crate only reserves its place in the workspace.
