break total
break mix
run
info args
print a
print/x a
whatis a
print a[1]
print $local0
print/x $local0
disassemble
finish
continue
bt
info args
print $local0.i8x16
disassemble
stepi 4
print b
info operands
finish
continue
