catch throw
info breakpoints
run
bt
info locals
continue
bt
continue
