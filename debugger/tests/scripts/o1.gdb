break fact
run
bt
info args
next
next
next
bt
delete
break prog.c:54
continue
info locals
continue
