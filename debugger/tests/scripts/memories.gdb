info memories
break fill
run
info memories
x/4xb 0
x/4xb -m 1 0x100
x/2xw --memory 1 0x100
x/s -m 2 8
finish
x/4xb 16
x/2xg -m 1 0x100
x/16xb -m 2 0
x/1xb -m 2 15
x/4xb -m 2 15
x -m 3 0
x/i -m 1 0
