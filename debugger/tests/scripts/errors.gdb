print x
frobnicate
break nosuchfunc
break prog.c:9999
break nosuch.c:3
x/8q 0
info bogus
continue
help
help x
break main
run
print nosuch
print *argc
print 1 +
x/4xw 0xffffffff
watch 3
stepi
stepi
nexti
info operands
info line
list fact
until
kill
