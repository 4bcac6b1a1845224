break count_byte
run
info args
info locals
break *0x9ef
continue
x/3i $pc
info operands
info locals
print/x $local1
print $local1.i8x16
print $local4.i64x2
delete 2
break *0xa7a
continue
x/1i $pc
info operands
continue
info operands
print $local2
delete
finish
continue
