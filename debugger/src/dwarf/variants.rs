//! Variant parts (DWARF 5 §5.7.10, `DW_TAG_variant_part` / `DW_TAG_variant`): how Rust
//! enums are described — a discriminant member (`DW_AT_discr`) and one variant per case,
//! selected by its `DW_AT_discr_value`, the variant without one being the default. Niche
//! layouts (`Option<&u32>`, `Option<Box<T>>`) are the same shape: the discriminant is the
//! niche field and only the niche values have a `DW_AT_discr_value`.

use super::types::Member;

/// One `DW_TAG_variant`: the value of the discriminant that selects it (`None`: the
/// default variant) and the member holding its fields (a struct named after the variant).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub discr_value: Option<u64>,
    pub member: Member,
}

/// A `DW_TAG_variant_part`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantPart {
    /// The discriminant; `None` when the enum has one variant (nothing to choose).
    pub discr: Option<Member>,
    pub variants: Vec<Variant>,
}

impl VariantPart {
    /// The variant a discriminant value selects: the one with that `DW_AT_discr_value`,
    /// else the default one. `discr` is read with the discriminant member's size, so only
    /// that many low bytes of each `DW_AT_discr_value` are compared.
    pub fn select(&self, discr: Option<u64>, discr_size: u64) -> Option<&Variant> {
        let Some(d) = discr else {
            return self.variants.first();
        };
        let mask = if discr_size >= 8 { u64::MAX } else { (1u64 << (8 * discr_size)) - 1 };
        self.variants
            .iter()
            .find(|v| v.discr_value.is_some_and(|x| x & mask == d & mask))
            .or_else(|| self.variants.iter().find(|v| v.discr_value.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str) -> Member {
        Member { name: name.into(), ty: None, offset: 0 }
    }

    #[test]
    fn tagged_and_niche_selection() {
        // Tagged: Add = 0, Remove = 1, Clear = 2.
        let tagged = VariantPart {
            discr: Some(member("")),
            variants: vec![
                Variant { discr_value: Some(0), member: member("Add") },
                Variant { discr_value: Some(1), member: member("Remove") },
                Variant { discr_value: Some(2), member: member("Clear") },
            ],
        };
        assert_eq!(tagged.select(Some(1), 4).map(|v| v.member.name.as_str()), Some("Remove"));
        assert_eq!(tagged.select(Some(7), 4), None, "no such tag and no default");
        // Niche: None is the null pointer, Some is everything else.
        let niche = VariantPart {
            discr: Some(member("")),
            variants: vec![
                Variant { discr_value: Some(0), member: member("None") },
                Variant { discr_value: None, member: member("Some") },
            ],
        };
        assert_eq!(niche.select(Some(0), 4).map(|v| v.member.name.as_str()), Some("None"));
        assert_eq!(niche.select(Some(0x11000), 4).map(|v| v.member.name.as_str()), Some("Some"));
        // A one-byte tag compares low bytes only (DWARF may sign-extend the value).
        let byte = VariantPart {
            discr: Some(member("")),
            variants: vec![Variant { discr_value: Some(0xffff_ffff_ffff_ffff), member: member("X") }],
        };
        assert_eq!(byte.select(Some(0xff), 1).map(|v| v.member.name.as_str()), Some("X"));
    }
}
