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
    /// `catch throw`: stops where an exception is thrown (`throw`, `throw_ref`, or out of
    /// a host call), before anything unwinds.
    CatchThrow,
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
    /// Times the location was reached with the condition true (counted before the hit
    /// condition is applied).
    pub hits: u64,
    /// Stop only on some of the hits (DAP's `hitCondition`).
    pub hit_condition: Option<HitCondition>,
    /// A log point: print this message (`{EXPR}` interpolated) instead of stopping.
    pub log_message: Option<String>,
}

/// Which hits of a breakpoint stop the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitCondition {
    /// `N` or `==N`: the Nth hit only.
    Equal(u64),
    /// `>=N`.
    AtLeast(u64),
    /// `>N`.
    Above(u64),
    /// `%N`: every Nth hit.
    Every(u64),
}

impl HitCondition {
    /// Parses `N`, `==N`, `=N`, `>N`, `>=N` or `%N`.
    pub fn parse(s: &str) -> Option<HitCondition> {
        let s = s.trim();
        let num = |t: &str| t.trim().parse::<u64>().ok();
        if let Some(r) = s.strip_prefix(">=") {
            return num(r).map(HitCondition::AtLeast);
        }
        if let Some(r) = s.strip_prefix('>') {
            return num(r).map(HitCondition::Above);
        }
        if let Some(r) = s.strip_prefix('%') {
            return num(r).filter(|n| *n > 0).map(HitCondition::Every);
        }
        let r = s.strip_prefix("==").or_else(|| s.strip_prefix('=')).unwrap_or(s);
        num(r).map(HitCondition::Equal)
    }

    /// Whether hit number `hits` (1 for the first) stops.
    pub fn stops_at(self, hits: u64) -> bool {
        match self {
            HitCondition::Equal(n) => hits == n,
            HitCondition::AtLeast(n) => hits >= n,
            HitCondition::Above(n) => hits > n,
            HitCondition::Every(n) => n > 0 && hits.is_multiple_of(n),
        }
    }
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
        self.list.push(Point {
            id,
            kind,
            spec,
            location,
            condition: None,
            enabled: true,
            temporary,
            hits: 0,
            hit_condition: None,
            log_message: None,
        });
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

    /// Enabled `catch throw` catchpoints.
    pub fn catch_throws(&self) -> Vec<u32> {
        self.list.iter().filter(|p| p.enabled && matches!(p.kind, PointKind::CatchThrow)).map(|p| p.id).collect()
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

    #[test]
    fn hit_conditions() {
        assert_eq!(HitCondition::parse("3"), Some(HitCondition::Equal(3)));
        assert_eq!(HitCondition::parse("== 3"), Some(HitCondition::Equal(3)));
        assert_eq!(HitCondition::parse(">=2"), Some(HitCondition::AtLeast(2)));
        assert_eq!(HitCondition::parse(">2"), Some(HitCondition::Above(2)));
        assert_eq!(HitCondition::parse("%2"), Some(HitCondition::Every(2)));
        assert_eq!(HitCondition::parse("%0"), None);
        assert_eq!(HitCondition::parse("often"), None);
        let every2: Vec<u64> = (1..=6).filter(|h| HitCondition::Every(2).stops_at(*h)).collect();
        assert_eq!(every2, vec![2, 4, 6]);
        assert!(!HitCondition::Above(2).stops_at(2) && HitCondition::Above(2).stops_at(3));
    }
}
