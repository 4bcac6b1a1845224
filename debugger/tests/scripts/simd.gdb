break mix
run
bt
info args
info locals
print $local0
print/x $local0
print/d $local0
print v
print $local0.i8x16
print/x $local0.i16x8
print $local0.i64x2
print $local0.f32x4
print $local0.i32x4[3]
print/x $local0.i32x4[3]
whatis $local0
ptype $local0
whatis $local0.f32x4
print $local0 + 1
print $local0.i32x8
stepi
info operands
stepi 2
print $local2
print $local2.f32x4
print/x $local2.f32x4
print $local2.f64x2
stepi 2
info operands
frame 1
info operands
frame 0
stepi 4
info operands
info frame
print $global0
info globals
stepi 7
info operands
stepi
info globals
print/x $global0
finish
info operands
continue
