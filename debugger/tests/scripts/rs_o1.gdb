break prog::apply
break prog::scale
break prog::check
info breakpoints
run
bt 2
info args
step
bt 3
info args
next
next
delete 1
continue
bt 3
info args
print x
up
info locals
down
finish
next
next
delete 2
continue
info args
finish
continue
