// A DAP session driven by Microsoft's DebugClient (@vscode/debugadapter-testsupport), the
// client VS Code's own adapters are tested with: `node session.js FIXTURES` with
// $WASMSCOPE set. Prints "ok" and exits 0 when every assertion holds.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

async function main() {
    const fixtures = fs.realpathSync(process.argv[2]);
    const source = path.join(fixtures, 'prog.c');
    const dc = new DebugClient('sh', path.join(__dirname, 'adapter.sh'), 'wasmscope', {
        cwd: fixtures,
        env: process.env,
    });
    dc.defaultTimeout = 60000;
    await dc.start();
    try {
        // launch + setBreakpoints + configurationDone, then the stop at prog.c:46.
        await dc.hitBreakpoint({ program: path.join(fixtures, 'prog.wasm'), cwd: fixtures }, { path: source, line: 46 });
        const st = await dc.stackTraceRequest({ threadId: 1 });
        const top = st.body.stackFrames[0];
        const scopes = await dc.scopesRequest({ frameId: top.id });
        assert.deepStrictEqual(scopes.body.scopes.map(s => s.name),
            ['Locals', 'Arguments', 'Globals', 'Wasm locals', 'Operand stack']);
        const locals = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
        const byName = Object.fromEntries(locals.body.variables.map(v => [v.name, v]));
        assert.strictEqual(byName.total.value, '0');
        const sq = await dc.variablesRequest({ variablesReference: byName.sq.variablesReference });
        assert.strictEqual(sq.body.variables.find(v => v.name === 'color').value, 'GREEN');
        const e = await dc.evaluateRequest({ expression: 'nums[3] - nums[0]', frameId: top.id, context: 'watch' });
        assert.strictEqual(e.body.result, '30');
        // next: to the loop's increment.
        await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { path: source, line: 45 })]);
        // No more breakpoints: the program's output and exit status.
        await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
        // (Every event awaited is listened for before the request that causes it.)
        const [, , exited] = await Promise.all([
            dc.continueRequest({ threadId: 1 }),
            dc.assertOutput('stdout', 'total=100 area=12 fact=120 counter=132\n'),
            dc.waitForEvent('exited'),
            dc.waitForEvent('terminated'),
        ]);
        assert.strictEqual(exited.body.exitCode, 0);
    } finally {
        await dc.stop();
    }
}

main().then(
    () => { console.log('ok'); process.exit(0); },
    (err) => { console.error(err && err.stack || err); process.exit(1); },
);
