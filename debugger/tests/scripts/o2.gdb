break fact
break bump
info breakpoints
run
bt
info args
up
info locals
down
finish
bt 2
delete
break prog.c:54
continue
info locals
print counter
print nums[1]
continue
