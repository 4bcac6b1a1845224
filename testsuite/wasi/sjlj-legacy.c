// The same program as sjlj.c, built by `cargo xtask fixtures` with the legacy exception
// handling instructions (try/catch, `-mllvm -wasm-use-legacy-eh=true`) instead of the final
// exnref ones: sjlj-legacy.wasm, run with the legacy-exceptions feature. The runtime pieces
// are the same (sjlj-runtime/).
#include "sjlj.c"
