break shop::dist
break main
run
info locals
next
next
info locals
bt
continue
