// The client side that both node tests share: spawn an LSP server, connect to
// it with the client libraries VS Code uses, answer its progress and
// configuration requests, and record what it says.
'use strict';

const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');
const lsp = require('vscode-languageserver-protocol/node');

// start spawns bin with args and returns the child, a protocol connection to
// it, a promise of its exit code, and `seen`: load progress kinds (and
// `loaded`, resolved at the progress end), log and shown messages, the number
// of workspace/configuration pulls (answered with settings), and stderr().
function start(bin, args, { env = {}, settings = {} } = {}) {
  const child = spawn(bin, args, {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const conn = lsp.createProtocolConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const seen = { progress: [], logs: [], messages: [], configuration: 0, stderr: () => stderr };
  let loaded;
  seen.loaded = new Promise((resolve) => { loaded = resolve; });
  conn.onRequest(lsp.WorkDoneProgressCreateRequest.type, (params) => {
    conn.onProgress(lsp.WorkDoneProgress.type, params.token, (value) => {
      seen.progress.push(value.kind);
      if (value.kind === 'end') loaded();
    });
    return null;
  });
  conn.onRequest(lsp.ConfigurationRequest.type, (params) => {
    seen.configuration++;
    return params.items.map(() => settings);
  });
  conn.onNotification(lsp.LogMessageNotification.type, (p) => seen.logs.push(p.message));
  conn.onNotification(lsp.ShowMessageNotification.type, (p) => seen.messages.push(p.message));
  conn.listen();
  return { child, conn, exited, seen };
}

// capabilities are what an editor with inline completion advertises.
const capabilities = {
  general: { positionEncodings: ['utf-16'] },
  window: { workDoneProgress: true },
  workspace: { configuration: true },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    completion: { completionItem: {} },
    inlineCompletion: {},
  },
};

// handshake sends initialize and initialized, and returns the InitializeResult.
async function handshake(conn, initializationOptions) {
  const res = await conn.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities,
    initializationOptions,
  });
  await conn.sendNotification(lsp.InitializedNotification.type, {});
  return res;
}

module.exports = { start, capabilities, handshake };
