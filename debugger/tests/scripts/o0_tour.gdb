break prog.c:46
info breakpoints
run
bt
info locals
print *p
print p->corners[1].x
print p->name
print &sq
print nums[2] + total
print sq.color
next
next
break area
continue
bt
info args
print s->corners[1]
finish
next
step
info frame
finish
watch counter
continue
continue
x/8xb buffer
x/4dw &nums
x/s sq.name
info watchpoints
delete
continue
