break shop::Counter::bump
break shop::dist
info breakpoints
run
bt 2
info args
print this
print *this
print this->value_
print value_
ptype this
finish
delete 1
break shop::twice
continue
info args
print v + v
finish
continue
info args
print a
print a.x + b.y
ptype a
whatis a
bt
up
info locals
print c
print ref
print sizeof(shop::Point)
print (long long) total
continue
