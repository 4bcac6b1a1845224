break fact if n == 2
run
up
finish
bt 3
up 3
finish
continue
