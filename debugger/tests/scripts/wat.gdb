info functions
break add1
run
bt
info args
info locals
stepi
stepi
info operands
disassemble
x/2i $pc
print x
print $local1
finish
continue
