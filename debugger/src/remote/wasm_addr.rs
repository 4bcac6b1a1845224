//! LLDB's WebAssembly address encoding (the `wasm` process plugin, `wasm_addr_t` in
//! lldb/source/Plugins/Process/wasm/ProcessWasm.h): each module's code and each linear
//! memory is a separate 32-bit space, and the gdb-remote packets carry all of them in one
//! 64-bit address: bits 62-63 the space's kind (0 linear memory, 1 module image), bits
//! 32-61 the module (or memory) number, bits 0-31 the offset in it.
//!
//! wasmscope debugs one module with one memory, so both are number 0: a code address is
//! `0x4000_0000_0000_0000 | offset_in_module_file` and a memory address is the plain
//! offset in linear memory.

/// What an address points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Linear memory number `index`.
    Memory,
    /// The bytes of module number `index` (its file, as loaded): code addresses are here.
    Module,
}

/// A decoded address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasmAddr {
    pub space: Space,
    /// The module or memory number (30 bits).
    pub index: u32,
    pub offset: u32,
}

const KIND_SHIFT: u32 = 62;
const INDEX_SHIFT: u32 = 32;
const INDEX_MASK: u64 = (1 << 30) - 1;

impl WasmAddr {
    /// Code (or any module byte) of module 0 at `offset`.
    pub fn code(offset: u32) -> WasmAddr {
        WasmAddr { space: Space::Module, index: 0, offset }
    }

    /// Linear memory 0 at `offset`.
    pub fn memory(offset: u32) -> WasmAddr {
        WasmAddr { space: Space::Memory, index: 0, offset }
    }

    /// Decodes a raw 64-bit address; `None` for the kinds LLDB calls invalid (2 and 3).
    pub fn decode(raw: u64) -> Option<WasmAddr> {
        let space = match raw >> KIND_SHIFT {
            0 => Space::Memory,
            1 => Space::Module,
            _ => return None,
        };
        Some(WasmAddr { space, index: ((raw >> INDEX_SHIFT) & INDEX_MASK) as u32, offset: raw as u32 })
    }

    /// The raw 64-bit address.
    pub fn raw(self) -> u64 {
        let kind = match self.space {
            Space::Memory => 0u64,
            Space::Module => 1,
        };
        (kind << KIND_SHIFT) | ((u64::from(self.index) & INDEX_MASK) << INDEX_SHIFT) | u64::from(self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_memory_addresses_round_trip() {
        assert_eq!(WasmAddr::code(0x18b).raw(), 0x4000_0000_0000_018b);
        assert_eq!(WasmAddr::memory(0x1000).raw(), 0x1000);
        for a in [WasmAddr::code(7), WasmAddr::memory(u32::MAX), WasmAddr { space: Space::Module, index: 3, offset: 9 }]
        {
            assert_eq!(WasmAddr::decode(a.raw()), Some(a));
        }
        assert_eq!(WasmAddr::decode(0x8000_0000_0000_0000), None);
        assert_eq!(WasmAddr::decode(0xc000_0000_0000_0010), None);
    }
}
