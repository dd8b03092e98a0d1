// Talks to the real `weft serve` (the embedded Transformer on a model file)
// with the client libraries VS Code uses: handshake and model load,
// incremental sync with UTF-16 positions, completion and inline completion,
// $/cancelRequest of a long generation, shutdown.
//
// WEFT_BIN names the weft binary and WEFT_MODEL a GGUF model file; without
// WEFT_BIN these tests are skipped (cmd/weft's TestNodeClientWeft sets both).
// The model may have random weights: the tests check ranges, determinism at
// temperature 0 and the protocol, never the generated text itself.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const rpc = require('vscode-jsonrpc/node');
const lsp = require('vscode-languageserver-protocol/node');
const client = require('./client.cjs');
const { handshake } = client;

const weftBin = process.env.WEFT_BIN;
const weftModel = process.env.WEFT_MODEL;
const skip = weftBin ? false : 'WEFT_BIN is not set';

// Greedy, one line, few tokens: what the workspace/configuration pull answers.
const settings = { temperature: 0, maxTokens: 16, multiline: 'never', verification: false };

// start runs `weft serve` on the model under test.
const start = () => client.start(weftBin, weftModel ? ['serve', '--model', weftModel] : ['serve'], { settings });

test('weft serve: handshake, incremental sync, completion, shutdown', { skip }, async (t) => {
  const { child, conn, exited, seen } = start();
  t.after(() => child.kill());
  const init = await handshake(conn, settings);
  assert.equal(init.serverInfo.name, 'weft');
  assert.equal(init.capabilities.positionEncoding, 'utf-16');
  assert.equal(init.capabilities.textDocumentSync.change, lsp.TextDocumentSyncKind.Incremental);
  assert.ok(init.capabilities.completionProvider, 'completionProvider');
  assert.ok(init.capabilities.inlineCompletionProvider, 'inlineCompletionProvider');
  await seen.loaded;
  assert.equal(seen.progress[0], 'begin');
  assert.deepEqual(seen.messages, [], 'no error shown while loading the model');

  const uri = 'file:///tmp/weft-node/hello.py';
  await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'python', version: 1, text: 'def greet(name):\n    # say hi to x\n    return name\n' },
  });
  // JavaScript strings are UTF-16, the unit of these positions: "x" is at
  // 16; the emoji is two units, so the line ends at 16 + 4 + 2 + 2 = 24.
  await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 1, character: 16 }, end: { line: 1, character: 17 } }, text: 'caf\u00e9\u{1F600}ab' }],
  });
  const word = 'caf\u00e9\u{1F600}ab';
  const position = { line: 1, character: 16 + word.length };
  assert.equal(position.character, 24);
  const list = await conn.sendRequest(lsp.CompletionRequest.type, { textDocument: { uri }, position });
  assert.equal(list.items.length, 1, 'one completion');
  const edit = list.items[0].textEdit;
  // The edit replaces the identifier before the cursor, non-ASCII included.
  assert.deepEqual(edit.range, { start: { line: 1, character: 16 }, end: position });
  assert.ok(edit.newText.startsWith(word) && edit.newText.length > word.length, `completion ${JSON.stringify(edit.newText)}`);
  assert.ok(!edit.newText.includes('\n'), 'one line');

  const inline = await conn.sendRequest(lsp.InlineCompletionRequest.type, {
    textDocument: { uri },
    position,
    context: { triggerKind: lsp.InlineCompletionTriggerKind.Invoked },
  });
  assert.equal(inline.items.length, 1);
  assert.equal(inline.items[0].insertText, edit.newText, 'greedy decoding gives the same text');
  assert.deepEqual(inline.items[0].range, edit.range);

  await assert.rejects(conn.sendRequest('weft/noSuchMethod', {}), (err) => err.code === rpc.ErrorCodes.MethodNotFound);

  await conn.sendRequest(lsp.ShutdownRequest.type);
  await conn.sendNotification(lsp.ExitNotification.type);
  assert.equal(await exited, 0, seen.stderr());
  conn.dispose();
});

test('weft serve: cancellation stops a long generation', { skip }, async (t) => {
  // Every line is welcome, up to what the model's context leaves, with no
  // latency budget; the initialization options, the push and the pull it
  // triggers all say so, so nothing but the cancel can end the generation.
  const long = { ...settings, maxTokens: 100000, multiline: 'always', latencyMs: 0 };
  const { child, conn, exited, seen } = client.start(weftBin, weftModel ? ['serve', '--model', weftModel] : ['serve'], { settings: long });
  t.after(() => child.kill()); // a failed assertion must not leave the server running
  await handshake(conn, long);
  await seen.loaded;
  await conn.sendNotification(lsp.DidChangeConfigurationNotification.type, { settings: { weft: long } });
  // The prompt includes the file's name, and on the tests' random tiny model
  // this one (the same as cmd/weft's TestServeCancel) starts a long generation;
  // under other names the model may stop at once.
  const uri = 'file:///tmp/weft-serve-test/long.py';
  await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'python', version: 1, text: '# a long story\n' },
  });
  const source = new rpc.CancellationTokenSource();
  let answered = false;
  const pending = conn.sendRequest(lsp.CompletionRequest.type, {
    textDocument: { uri },
    position: { line: 1, character: 0 },
  }, source.token);
  pending.then(() => { answered = true; }, () => { answered = true; });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!answered, 'the generation ended before it was cancelled: make it longer');
  const cancelledAt = Date.now();
  source.cancel();
  await assert.rejects(pending, (err) => err.code === lsp.LSPErrorCodes.RequestCancelled);
  const took = Date.now() - cancelledAt;
  // 50 ms is the server's bound (cmd/weft's TestServeCancel measures it);
  // Node's timers and event loop get some slack.
  assert.ok(took < 200, `cancelled request answered after ${took}ms`);

  // Exit without shutdown is status 1.
  await conn.sendNotification(lsp.ExitNotification.type);
  assert.equal(await exited, 1);
  conn.dispose();
});
