// Talks to weft's LSP test server (lsp/internal/testserver, fake features)
// with the client libraries VS Code uses, to check that weft interoperates
// with them: handshake, load progress, incremental sync with UTF-16
// positions, completion, inline completion, $/cancelRequest, exit codes.
//
// WEFT_TEST_SERVER names the server binary; without it the test builds one
// with `go build`.
'use strict';

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const rpc = require('vscode-jsonrpc/node');
const lsp = require('vscode-languageserver-protocol/node');
const client = require('./client.cjs');
const { handshake } = client;

let serverBin;

before(() => {
  serverBin = process.env.WEFT_TEST_SERVER;
  if (!serverBin) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-nodetest-'));
    serverBin = path.join(dir, 'testserver');
    execFileSync('go', ['build', '-o', serverBin, './internal/testserver'], {
      cwd: path.join(__dirname, '..'),
      stdio: 'inherit',
    });
  }
});

// start runs the test server with env added to the environment; settings are
// what its workspace/configuration pulls are answered with.
const start = (env, settings = { maxTokens: 4 }) => client.start(serverBin, [], { env, settings });

const uri = 'file:///tmp/node.go';

test('handshake, incremental sync, completion, inline completion, shutdown', async (t) => {
  const { child, conn, exited, seen } = start({ WEFT_FAKE_TOKEN_DELAY: '1ms' });
  t.after(() => child.kill());
  const init = await handshake(conn, {});
  assert.equal(init.capabilities.positionEncoding, 'utf-16');
  assert.equal(init.capabilities.inlineCompletionProvider, true);
  assert.equal(init.capabilities.textDocumentSync.change, lsp.TextDocumentSyncKind.Incremental);
  assert.deepEqual(init.capabilities.executeCommandProvider.commands, ['weft.generate', 'weft.translate']);
  await seen.loaded;
  assert.equal(seen.progress[0], 'begin');
  assert.equal(seen.progress.at(-1), 'end');
  assert.ok(seen.configuration >= 1, 'server pulled workspace/configuration');

  await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'go', version: 1, text: 'x := \u{1F600} f\n' },
  });
  // JavaScript strings are UTF-16, the unit of these positions: the emoji
  // is two units, so "f" is at character 8.
  await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: { start: { line: 0, character: 9 }, end: { line: 0, character: 9 } }, text: 'o' },
      { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 7 } }, text: '\u00e9\u00e9' },
    ],
  });
  // Now "x := éé fo" (the second change applies to the text the first
  // produced): the word before character 10 is "fo" at 8..10.
  const list = await conn.sendRequest(lsp.CompletionRequest.type, {
    textDocument: { uri },
    position: { line: 0, character: 10 },
  });
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].textEdit.newText, 'foDone()');
  assert.deepEqual(list.items[0].textEdit.range, {
    start: { line: 0, character: 8 },
    end: { line: 0, character: 10 },
  });
  assert.equal(list.items[0].filterText, 'foDone()');

  const inline = await conn.sendRequest(lsp.InlineCompletionRequest.type, {
    textDocument: { uri },
    position: { line: 0, character: 10 },
    context: { triggerKind: lsp.InlineCompletionTriggerKind.Invoked },
  });
  assert.equal(inline.items[0].insertText, 'foDone()');
  assert.deepEqual(inline.items[0].range.start, { line: 0, character: 8 });

  await assert.rejects(conn.sendRequest('weft/noSuchMethod', {}), (err) => err.code === rpc.ErrorCodes.MethodNotFound);

  await conn.sendRequest(lsp.ShutdownRequest.type);
  await conn.sendNotification(lsp.ExitNotification.type);
  assert.equal(await exited, 0);
  conn.dispose();
});

test('cancellation stops a long completion', async (t) => {
  // 1000 tokens at 10ms each would take 10s. Every source of settings (the
  // initialization options, the push and the pull it triggers) says the same,
  // with no latency budget, so nothing but the cancel can end the generation.
  const long = { maxTokens: 1000, latencyMs: 0 };
  const { child, conn, exited, seen } = start({ WEFT_FAKE_TOKEN_DELAY: '10ms' }, long);
  t.after(() => child.kill()); // a failed assertion must not leave the server running
  await handshake(conn, long);
  await seen.loaded;
  await conn.sendNotification(lsp.DidChangeConfigurationNotification.type, { settings: { weft: long } });
  await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'go', version: 1, text: 'abc' },
  });
  const source = new rpc.CancellationTokenSource();
  const pending = conn.sendRequest(lsp.CompletionRequest.type, {
    textDocument: { uri },
    position: { line: 0, character: 3 },
  }, source.token);
  await new Promise((r) => setTimeout(r, 200));
  const cancelledAt = Date.now();
  source.cancel();
  await assert.rejects(pending, (err) => err.code === lsp.LSPErrorCodes.RequestCancelled);
  const took = Date.now() - cancelledAt;
  assert.ok(took < 1000, `cancelled request answered after ${took}ms`);

  // The server keeps serving; exit without shutdown is status 1.
  await conn.sendNotification(lsp.ExitNotification.type);
  assert.equal(await exited, 1);
  conn.dispose();
});
