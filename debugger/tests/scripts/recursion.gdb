break fact if n == 2
run
bt
info args
up
print n
down
print r
tbreak prog.c:27
continue
print r
finish
info breakpoints
delete
tbreak prog.c:53
continue
until 54
print f
print counter
next
info globals count
continue
