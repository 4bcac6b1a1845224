//! Breakpoints and watchpoints: one numbered list (like gdb), locations resolved to
//! module offsets of instructions that execute, conditions, hit counts, temporaries.

use crate::dwarf::types::TypeId;

/// What a numbered point is.
#[derive(Debug, Clone, PartialEq)]
pub enum PointKind {
    /// Stops before executing any of `offsets` (module offsets, snapped).
    Break { offsets: Vec<u32> },
    /// Stops after a write changes `len` bytes at `addr` in linear memory.
    Watch { addr: u64, len: u64, ty: Option<TypeId>, old: Option<Vec<u8>> },
}

/// A breakpoint or watchpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: u32,
    pub kind: PointKind,
    /// What the user typed (`prog.c:24`, `fact`, `counter`).
    pub spec: String,
    /// Where it resolved, for `info breakpoints` (`fact at prog.c:24`).
    pub location: String,
    pub condition: Option<String>,
    pub enabled: bool,
    /// `tbreak`: deleted when hit.
    pub temporary: bool,
    pub hits: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Points {
    next_id: u32,
    pub list: Vec<Point>,
}

impl Points {
    /// Adds a point and returns its number.
    pub fn add(&mut self, kind: PointKind, spec: String, location: String, temporary: bool) -> u32 {
        self.next_id += 1;
        let id = self.next_id;
        self.list.push(Point { id, kind, spec, location, condition: None, enabled: true, temporary, hits: 0 });
        id
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut Point> {
        self.list.iter_mut().find(|p| p.id == id)
    }

    pub fn get(&self, id: u32) -> Option<&Point> {
        self.list.iter().find(|p| p.id == id)
    }

    pub fn delete(&mut self, id: u32) -> bool {
        let before = self.list.len();
        self.list.retain(|p| p.id != id);
        before != self.list.len()
    }

    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// Enabled breakpoints at `offset`.
    pub fn breaks_at(&self, offset: u32) -> Vec<u32> {
        self.list
            .iter()
            .filter(|p| p.enabled && matches!(&p.kind, PointKind::Break { offsets } if offsets.contains(&offset)))
            .map(|p| p.id)
            .collect()
    }

    /// Whether any enabled watchpoint exists (the hook compares memory only then).
    pub fn has_watches(&self) -> bool {
        self.list.iter().any(|p| p.enabled && matches!(p.kind, PointKind::Watch { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_enable_delete() {
        let mut p = Points::default();
        let a = p.add(PointKind::Break { offsets: vec![10, 20] }, "f".into(), String::new(), false);
        let b = p.add(PointKind::Break { offsets: vec![20] }, "g".into(), String::new(), true);
        assert_eq!((a, b), (1, 2));
        assert_eq!(p.breaks_at(20), vec![1, 2]);
        if let Some(x) = p.get_mut(1) {
            x.enabled = false;
        }
        assert_eq!(p.breaks_at(20), vec![2]);
        assert!(p.delete(2));
        assert!(!p.delete(2));
        assert!(p.breaks_at(20).is_empty());
        let c = p.add(PointKind::Watch { addr: 0, len: 4, ty: None, old: None }, "x".into(), String::new(), false);
        assert_eq!(c, 3, "numbers are never reused");
        assert!(p.has_watches());
    }
}
