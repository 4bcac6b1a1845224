//! Entering JIT code and getting out of it on a trap, without unwinding.
//!
//! [`enter`] is a tiny hand-written trampoline: it saves the callee-saved registers, the
//! stack pointer and its own return address in an [`Activation`] (a minimal `setjmp`),
//! then calls the compiled code. Every trap in JIT code is a hardware fault at a known
//! trap site: `ud2` for explicit checks, a faulting load/store for guard pages, `div` for
//! division by zero. The signal handler (SIGSEGV, SIGBUS, SIGILL, SIGFPE; installed once,
//! with `SA_ONSTACK`, chaining to whatever was installed before) checks that the faulting
//! pc is a trap site of registered JIT code, records the pc, the trap code and the return
//! addresses of the JIT frames (walking frame pointers), and rewrites the interrupted
//! context so that, when the handler returns, `enter` appears to return 1. No Rust frame
//! is ever skipped: between an activation and a fault there are only JIT frames, because
//! every call out of JIT code into Rust (libcalls, host functions) returns normally and
//! reports a trap as a status that JIT code turns into its own trap site.
//!
//! One of the few modules with `unsafe` code.

use std::cell::Cell;
use std::sync::Once;

use super::code;

/// Most JIT frames recorded for a trap's backtrace.
pub(crate) const MAX_FRAMES: usize = 64;

/// Registers saved by [`enter`], restored when a trap resumes it. Layout known to the
/// assembly below.
#[repr(C)]
#[derive(Default)]
struct Regs {
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    rsp: u64,
    rip: u64,
}

/// One entry into JIT code on this thread.
#[repr(C)]
pub(crate) struct Activation {
    regs: Regs,
    prev: *mut Activation,
    /// Faulting pc (valid when `enter` returned 1).
    pub pc: usize,
    /// Cranelift trap code of the trap site.
    pub code: u8,
    /// Return addresses of the JIT frames above the faulting one, innermost first.
    pub frames: [usize; MAX_FRAMES],
    pub num_frames: usize,
}

thread_local! {
    static CURRENT: Cell<*mut Activation> = const { Cell::new(std::ptr::null_mut()) };
}

/// Saves callee-saved registers in `regs`, calls `f(vmctx, values)`, returns 0; returns
/// 1 instead when the signal handler resumes it after a trap.
// SAFETY (for callers): `regs` points at a live `Regs`, `f` at JIT code with the
// `(vmctx, values)` signature, and `vmctx`/`values` are valid for that call; only `enter`
// calls it.
#[unsafe(naked)]
unsafe extern "sysv64" fn enter_raw(regs: *mut Regs, f: *const u8, vmctx: *mut u8, values: *mut u64) -> u32 {
    std::arch::naked_asm!(
        "mov [rdi + 0], rbx",
        "mov [rdi + 8], rbp",
        "mov [rdi + 16], r12",
        "mov [rdi + 24], r13",
        "mov [rdi + 32], r14",
        "mov [rdi + 40], r15",
        "lea rax, [rsp + 8]",
        "mov [rdi + 48], rax",
        "mov rax, [rsp]",
        "mov [rdi + 56], rax",
        "push rbp",
        "mov rbp, rsp",
        "mov rax, rsi",
        "mov rdi, rdx",
        "mov rsi, rcx",
        "call rax",
        "pop rbp",
        "xor eax, eax",
        "ret",
    )
}

/// Calls the array-ABI entry `f(vmctx, values)` of compiled code. `Err(activation)` when
/// the code trapped, with the fault's details.
///
/// # Safety
/// `f` must be compiled code with signature `(vmctx, values)` whose code memory stays
/// alive, `vmctx` a context it accepts and `values` large enough for its parameters and
/// results.
pub(crate) unsafe fn enter(f: *const u8, vmctx: *mut u8, values: *mut u64) -> Result<(), Box<Activation>> {
    install();
    ALT_STACK.with(|s| s.ensure());
    let mut act = Box::new(Activation {
        regs: Regs::default(),
        prev: CURRENT.get(),
        pc: 0,
        code: 0,
        frames: [0; MAX_FRAMES],
        num_frames: 0,
    });
    let p: *mut Activation = &mut *act;
    CURRENT.set(p);
    // SAFETY: the caller guarantees `f`, `vmctx` and `values`; `regs` points into the
    // boxed activation, which outlives the call.
    let r = unsafe { enter_raw(&raw mut (*p).regs, f, vmctx, values) };
    CURRENT.set(act.prev);
    if r == 0 { Ok(()) } else { Err(act) }
}

/// Size of the alternate signal stack given to threads that have none.
const ALT_STACK_SIZE: usize = 64 * 1024;

/// This thread's alternate signal stack, if we had to provide one; released (and
/// disabled) when the thread exits.
struct AltStack(Cell<Option<(*mut libc::c_void, bool)>>);

impl AltStack {
    /// Makes sure the thread has an alternate signal stack, so that the handler can run
    /// even when a fault is caused by an exhausted stack.
    fn ensure(&self) {
        if self.0.get().is_some() {
            return;
        }
        // SAFETY: sigaltstack with a null new stack only reads the current setting; the
        // new stack is a fresh private mapping owned by this thread until it exits.
        unsafe {
            let mut old: libc::stack_t = std::mem::zeroed();
            if libc::sigaltstack(std::ptr::null(), &mut old) == 0 && old.ss_flags & libc::SS_DISABLE == 0 {
                self.0.set(Some((std::ptr::null_mut(), false)));
                return;
            }
            let p = libc::mmap(
                std::ptr::null_mut(),
                ALT_STACK_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if p == libc::MAP_FAILED {
                return;
            }
            let st = libc::stack_t { ss_sp: p, ss_flags: 0, ss_size: ALT_STACK_SIZE };
            let ok = libc::sigaltstack(&st, std::ptr::null_mut()) == 0;
            if !ok {
                libc::munmap(p, ALT_STACK_SIZE);
            }
            self.0.set(Some((p, ok)));
        }
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        if let Some((p, true)) = self.0.get() {
            // SAFETY: the stack is ours and installed on this (exiting) thread; it is
            // disabled before it is unmapped, and no handler runs on it now.
            unsafe {
                let st = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
                libc::sigaltstack(&st, std::ptr::null_mut());
                libc::munmap(p, ALT_STACK_SIZE);
            }
        }
    }
}

thread_local! {
    static ALT_STACK: AltStack = const { AltStack(Cell::new(None)) };
}

static INSTALL: Once = Once::new();
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];
static mut PREVIOUS: [std::mem::MaybeUninit<libc::sigaction>; 4] = [const { std::mem::MaybeUninit::zeroed() }; 4];

/// Installs the handler for the fault signals, once per process.
fn install() {
    INSTALL.call_once(|| {
        for (i, sig) in SIGNALS.iter().enumerate() {
            // SAFETY: a zeroed sigaction is a valid value to fill in; `PREVIOUS` is written
            // only here, inside `call_once`, before any handler of ours can run.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = handler as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut sa.sa_mask);
                let prev = (&raw mut PREVIOUS[i]).cast::<libc::sigaction>();
                libc::sigaction(*sig, &sa, prev);
            }
        }
    });
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid ucontext for SA_SIGINFO handlers; the activation
    // pointer is set only while `enter` runs on this thread and points to its live box.
    unsafe {
        let uc = ctx.cast::<libc::ucontext_t>();
        let act = CURRENT.get();
        if !act.is_null() && !uc.is_null() {
            let gregs = &mut (*uc).uc_mcontext.gregs;
            let pc = gregs[libc::REG_RIP as usize] as usize;
            if let Some(code) = code::trap_code_at(pc) {
                let act = &mut *act;
                act.pc = pc;
                act.code = code;
                // Walk frame pointers: [rbp] = caller's rbp, [rbp + 8] = return address.
                let mut fp = gregs[libc::REG_RBP as usize] as usize;
                let mut n = 0;
                while n < MAX_FRAMES && fp != 0 && fp.is_multiple_of(8) && (fp as u64) < act.regs.rsp {
                    let ret = *((fp + 8) as *const usize);
                    if !code::is_jit_code(ret) {
                        break;
                    }
                    act.frames[n] = ret;
                    n += 1;
                    fp = *(fp as *const usize);
                }
                act.num_frames = n;
                let r = &act.regs;
                gregs[libc::REG_RBX as usize] = r.rbx as i64;
                gregs[libc::REG_RBP as usize] = r.rbp as i64;
                gregs[libc::REG_R12 as usize] = r.r12 as i64;
                gregs[libc::REG_R13 as usize] = r.r13 as i64;
                gregs[libc::REG_R14 as usize] = r.r14 as i64;
                gregs[libc::REG_R15 as usize] = r.r15 as i64;
                gregs[libc::REG_RSP as usize] = r.rsp as i64;
                gregs[libc::REG_RIP as usize] = r.rip as i64;
                gregs[libc::REG_RAX as usize] = 1;
                return;
            }
        }
        chain(sig, info, ctx);
    }
}

/// Passes a signal that is not ours to the handler installed before.
///
/// # Safety
/// Called from the signal handler with its arguments.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(i) = SIGNALS.iter().position(|s| *s == sig) else { return };
    // SAFETY: `PREVIOUS[i]` was filled by `install` before our handler was registered.
    unsafe {
        let prev = &*(&raw const PREVIOUS[i]).cast::<libc::sigaction>();
        if prev.sa_flags & libc::SA_SIGINFO != 0 && prev.sa_sigaction > 1 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev.sa_sigaction);
            f(sig, info, ctx);
        } else if prev.sa_sigaction == libc::SIG_IGN || prev.sa_sigaction == libc::SIG_DFL {
            // Restore the default action; returning re-executes the faulting instruction,
            // which then kills the process as it would have without us.
            libc::signal(sig, libc::SIG_DFL);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
            f(sig);
        }
    }
}

/// Free stack JIT code must leave for the Rust code it calls and for signal handling.
const STACK_MARGIN: usize = 256 * 1024;

/// The lowest stack address JIT code entered from here may use: the current thread's stack
/// bottom plus a safety margin (the current stack pointer itself if even that is not left).
pub(crate) fn stack_limit() -> usize {
    let x = 0u8;
    let sp = std::hint::black_box(&raw const x) as usize;
    match cached_stack_low(sp) {
        Some(low) if low + STACK_MARGIN < sp => low + STACK_MARGIN,
        Some(_) => sp,
        // Unknown bounds: allow 512 KiB below here.
        None => sp.saturating_sub(512 * 1024),
    }
}

/// Bytes of stack left below the caller's frame on the current thread (`None` if the
/// system does not say).
pub(crate) fn stack_headroom() -> Option<usize> {
    let x = 0u8;
    let sp = std::hint::black_box(&raw const x) as usize;
    cached_stack_low(sp).map(|low| sp.saturating_sub(low))
}

/// The current thread's stack bottom, looked up once per thread.
fn cached_stack_low(sp: usize) -> Option<usize> {
    STACK_LOW.with(|low| match low.get() {
        // (A stack pointer below the cached bottom means code switched stacks: look again.)
        Some(known) if known.is_none_or(|l| l < sp) => known,
        _ => {
            let found = stack_low();
            low.set(Some(found));
            found
        }
    })
}

thread_local! {
    /// The current thread's stack bottom, once looked up (`None` inside: unknown). A
    /// thread's stack does not move, and the lookup is slow: for the main thread glibc
    /// reads `/proc/self/maps`.
    static STACK_LOW: std::cell::Cell<Option<Option<usize>>> = const { std::cell::Cell::new(None) };
}

/// The lowest address of the current thread's stack, if the system says.
fn stack_low() -> Option<usize> {
    // SAFETY: pthread_getattr_np fills the attribute object for the calling thread, which
    // is then read with pthread_attr_getstack and destroyed.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            None
        } else {
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
            libc::pthread_attr_destroy(&mut attr);
            ok.then_some(addr as usize)
        }
    }
}

/// The stack pointer of the innermost entry into JIT code on this thread (the frames of
/// its activation lie below it), if JIT code is running.
pub(crate) fn entry_sp() -> Option<usize> {
    let act = CURRENT.get();
    // SAFETY: `CURRENT` is set only while `enter` runs on this thread and then points to
    // its live, boxed activation.
    (!act.is_null()).then(|| unsafe { (*act).regs.rsp as usize })
}

/// Jumps to the landing pad `pc` of an exception handler in the JIT frame whose frame
/// pointer is `fp`, with the stack pointer `sp` the call site had and the `exnref` in
/// payload register 0 (rax; rdx, payload 1, is zeroed): Cranelift's exception ABI for
/// `try_call` sites of the `tail` convention, which assume every other register
/// clobbered. Never returns.
// SAFETY (for callers): `pc`, `sp`, `fp` must come from the exception table of a live
// JIT frame of the current activation (`libcalls::unwind`), and nothing with a
// destructor may be pending in the Rust frames this skips (only the throwing libcall's).
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
pub(crate) unsafe extern "sysv64" fn resume_at_handler(pc: usize, sp: usize, fp: usize, exnref: u64) -> ! {
    std::arch::naked_asm!("mov rax, rcx", "mov rsp, rsi", "mov rbp, rdx", "xor edx, edx", "jmp rdi")
}
