break prog::apply
info breakpoints
run
bt 3
info args
print ev
print *inv
print inv.count
print inv.label
whatis inv
ptype ev
next
next
step
bt 2
info args
print self.count
print name
finish
delete
break prog::main::{closure#0}
continue
bt 1
info args
print x
print offset
finish
delete
break prog::check
continue
info args
finish
delete
break prog.rs:104
continue
info locals
print first
print none
print shape
print empty
print nums
print slice
print greeting
print ok
print err
print maybe
print/r greeting
print/x t
print nums[1]
print slice[0]
print nums[5]
print inv.items[0].name
print events[2]
print sizeof(inv)
print offset as u64
print t as u8
print nums.len
print events[0]@2
ptype prog::Event
ptype inv
whatis slice
whatis first
bt -2
list 99,101
break prog.rs:113
continue
info locals
print rc
print arc
print boxed
print *boxed
print/r rc
continue
