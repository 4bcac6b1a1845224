#!/bin/sh
# The debug adapter as DebugClient starts it (one runtime, one script): the wasmscope binary
# named by $WASMSCOPE, in DAP mode on stdin/stdout.
exec "$WASMSCOPE" debug --dap
