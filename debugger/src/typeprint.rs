//! `whatis` and `ptype`: a type's name, or its definition spelled out (struct members,
//! enum values, Rust enum variants from DWARF 5 §5.7.10 variant parts) in the frame's
//! language, as gdb prints them.

use crate::dwarf::types::{Type, TypeId, TypeTable};
use crate::lang::Lang;

/// `whatis`: `type = NAME`.
pub fn whatis(types: &TypeTable, ty: Option<TypeId>, lang: Lang) -> String {
    let name = if lang == Lang::Rust { types.rust_name(ty) } else { types.name(ty) };
    format!("type = {name}")
}

/// `ptype`: the definition of the type, through typedefs and pointers (gdb's
/// `type = struct shape {...} *`).
pub fn ptype(types: &TypeTable, ty: Option<TypeId>, lang: Lang) -> String {
    // Follow typedefs and pointers to the aggregate, remembering the declarator.
    let mut cur = ty;
    let mut suffix = String::new();
    let mut is_const = false;
    for _ in 0..16 {
        match cur.map(|t| types.get(t)) {
            Some(Type::Const(ty)) => {
                is_const = true;
                cur = *ty;
            }
            Some(Type::Typedef { ty, .. } | Type::Volatile(ty)) => cur = *ty,
            Some(Type::Pointer { pointee })
                if matches!(
                    types.strip(*pointee).map(|p| types.get(p)),
                    Some(Type::Struct { .. } | Type::Enum { .. })
                ) =>
            {
                if lang == Lang::Rust {
                    return whatis(types, ty, lang);
                }
                let is_ref = cur.is_some_and(|c| types.references.contains(&c));
                suffix.push(if is_ref { '&' } else { '*' });
                cur = *pointee;
            }
            _ => break,
        }
    }
    let body = match (cur.map(|t| types.get(t)), lang) {
        (Some(Type::Struct { variants: Some(vp), .. }), Lang::Rust) => {
            let mut lines = vec![format!("type = enum {} {{", types.rust_name(cur))];
            for v in &vp.variants {
                let short = v.member.name.clone();
                let fields = match types.strip(v.member.ty).map(|t| types.get(t)) {
                    Some(Type::Struct { members, .. }) => members.clone(),
                    _ => Vec::new(),
                };
                let tuple = !fields.is_empty() && fields.iter().all(|m| m.name.starts_with("__"));
                let shown: Vec<String> =
                    fields
                        .iter()
                        .map(|m| {
                            if tuple { types.rust_name(m.ty) } else { format!("{}: {}", m.name, types.rust_name(m.ty)) }
                        })
                        .collect();
                lines.push(match (fields.is_empty(), tuple) {
                    (true, _) => format!("  {short},"),
                    (false, true) => format!("  {short}({}),", shown.join(", ")),
                    (false, false) => format!("  {short}{{{}}},", shown.join(", ")),
                });
            }
            lines.push("}".to_string());
            lines.join("\n")
        }
        (Some(Type::Struct { members, .. }), Lang::Rust) => {
            let mut lines = vec![format!("type = struct {} {{", types.rust_name(cur))];
            for m in members {
                lines.push(format!("  {}: {},", m.name, types.rust_name(m.ty)));
            }
            lines.push("}".to_string());
            lines.join("\n")
        }
        (Some(Type::Struct { keyword, members, .. }), _) => {
            // C++ names have no keyword; ptype shows one, as gdb does.
            let name = types.name(cur);
            let head = if name.starts_with(keyword) { name } else { format!("{keyword} {name}") };
            let head = if is_const { format!("const {head}") } else { head };
            let mut lines = vec![format!("type = {head} {{")];
            for m in members {
                lines.push(format!("    {};", declarator(types, m.ty, &m.name)));
            }
            lines.push("}".to_string());
            lines.join("\n")
        }
        (Some(Type::Enum { values, .. }), _) => {
            let mut next = 0;
            let shown: Vec<String> = values
                .iter()
                .map(|(n, v)| {
                    let s = if *v == next { n.clone() } else { format!("{n} = {v}") };
                    next = v + 1;
                    s
                })
                .collect();
            let name = if lang == Lang::Rust { format!("enum {}", types.rust_name(cur)) } else { types.name(cur) };
            format!("type = {name} {{{}}}", shown.join(", "))
        }
        _ => return whatis(types, ty, lang),
    };
    if suffix.is_empty() { body } else { format!("{body} {suffix}") }
}

/// A C declaration of `name` with type `ty`: `const char *name`, `point_t corners[2]`.
fn declarator(types: &TypeTable, ty: Option<TypeId>, name: &str) -> String {
    let (base, suffix) = types.split_name(ty, 0);
    if let Some(rest) = suffix.strip_prefix("(*)") {
        return format!("{base} (*{name}){rest}");
    }
    let stars = suffix.chars().take_while(|c| *c == '*').count();
    format!("{base} {}{name}{}", &suffix[..stars], &suffix[stars..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dwarf::types::{Encoding, Member};

    #[test]
    fn c_struct_and_enum() {
        let mut t = TypeTable::default();
        let int = t.base("int", Encoding::Signed, 4);
        let ch = t.base("char", Encoding::SignedChar, 1);
        let pch = t.pointer_to(Some(ch));
        let arr = t.add(Type::Array { elem: Some(int), count: Some(2) });
        let s = t.add(Type::Struct {
            keyword: "struct",
            name: Some("s".into()),
            size: 16,
            members: vec![
                Member { name: "name".into(), ty: Some(pch), offset: 0 },
                Member { name: "xs".into(), ty: Some(arr), offset: 4 },
            ],
            variants: None,
        });
        let ps = t.pointer_to(Some(s));
        assert_eq!(ptype(&t, Some(ps), Lang::C), "type = struct s {\n    char *name;\n    int xs[2];\n} *");
        assert_eq!(whatis(&t, Some(ps), Lang::C), "type = struct s *");
        let e = t.add(Type::Enum {
            name: Some("color".into()),
            size: 4,
            values: vec![("RED".into(), 0), ("GREEN".into(), 5), ("BLUE".into(), 6)],
        });
        assert_eq!(ptype(&t, Some(e), Lang::C), "type = enum color {RED, GREEN = 5, BLUE}");
    }
}
