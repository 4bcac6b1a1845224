run
bt
info locals
disassemble
continue
