break inspect
run
bt
print $local0
print $local0.field1
print $local0.2
print $local1
print $local1[0].field0
print $local1[1]
print $local2
print $local2.next.v
print list.next
print all[2].y
print $local3
print $local1[5]
print $local0.field9
x name
x/s name
x/2xw name
x/3dh nums
x nums
x $local0
finish
