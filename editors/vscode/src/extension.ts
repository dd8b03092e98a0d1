// weft's VS Code extension: it starts `weft serve` and maps VS Code's UI onto
// standard LSP. Ghost text comes from the server's textDocument/inlineCompletion;
// "Generate code from instruction…" and "Translate to…" call the server's
// weft.generate / weft.translate commands, whose edits arrive through
// workspace/applyEdit like any other LSP edit. "Download a model…" runs
// `weft model pull` as a child process and points weft.modelPath at the file.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

const README = 'https://github.com/weft-dev/weft#readme';
// The model offered when the loaded one cannot follow instructions.
const SUGGESTED_MODEL = 'qwen2.5-coder-1.5b-instruct';
const LANGUAGES = ['go', 'python', 'javascript', 'typescript', 'rust', 'java', 'c', 'cpp'];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

function settings() {
  const c = vscode.workspace.getConfiguration('weft');
  return {
    modelPath: c.get<string>('modelPath', ''),
    maxTokens: c.get<number>('maxTokens', 0),
    temperature: c.get<number>('temperature', 0),
    samples: c.get<number>('samples', 8),
    latencyMs: c.get<number>('latencyMs', 150),
    multiline: c.get<string>('multiline', 'auto'),
    verification: c.get<boolean>('verification', false),
    translateTarget: c.get<string>('translateTarget', 'newFile'),
    languages: c.get<string[]>('languages', []),
    debounceMs: c.get<number>('debounceMs', 75),
  };
}

// findWeft returns the weft binary: the weft.path setting, or `weft` on PATH.
function findWeft(): string | undefined {
  const configured = vscode.workspace.getConfiguration('weft').get<string>('path', '');
  if (configured) {
    return fs.existsSync(configured) ? configured : undefined;
  }
  const exe = process.platform === 'win32' ? 'weft.exe' : 'weft';
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, exe);
    if (dir && fs.existsSync(p)) {
      return p;
    }
  }
  return undefined;
}

function setStatus(text: string, tooltip: string, error = false) {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  status.show();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const weft = findWeft();
  if (!weft) {
    setStatus('$(error) weft', 'weft binary not found', true);
    const pick = await vscode.window.showErrorMessage(
      'weft: no weft binary found. Set "weft.path" or put weft on PATH (go install ./cmd/weft).',
      'Open README',
    );
    if (pick === 'Open README') {
      vscode.env.openExternal(vscode.Uri.parse(README));
    }
    return;
  }
  const s = settings();
  const serverOptions: ServerOptions = {
    command: weft,
    args: ['serve'],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: s.languages.map((language) => ({ language })),
    initializationOptions: s,
    outputChannel: output,
    synchronize: { configurationSection: 'weft' },
    middleware: {
      // An Implement / Translate code action resolves by running the model; when it says the model
      // cannot do this and names one that can, offer the download.
      resolveCodeAction: async (item, token, next) => {
        try {
          return await next(item, token);
        } catch (err) {
          if (err instanceof Error) {
            await offerDownload(err.message);
          }
          throw err;
        }
      },
    },
  };
  client = new LanguageClient('weft', 'weft', serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setStatus('$(sparkle) weft', `weft: ${weft}`);
    } else if (e.newState === State.Stopped) {
      setStatus('$(error) weft', 'weft stopped: see "weft: Show log"', true);
    }
  });
  setStatus('$(sync~spin) weft', 'weft: starting');
  try {
    await client.start();
  } catch (err) {
    setStatus('$(error) weft', String(err), true);
    output.appendLine(`weft failed to start: ${err}`);
    return;
  }
  // Model loading progress arrives as $/progress; vscode-languageclient shows
  // it in a notification, and the status bar mirrors the last message.
  context.subscriptions.push(
    client.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1) {
        setStatus('$(error) weft', p.message, true);
      }
    }),
  );
}

// The inline completion provider forwards VS Code's request to the server's
// textDocument/inlineCompletion (LSP 3.18), which vscode-languageclient 9 does
// not map by itself.
class InlineProvider implements vscode.InlineCompletionItemProvider {
  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    ctx: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    if (!client || client.state !== State.Running) {
      return [];
    }
    const debounce = settings().debounceMs;
    if (debounce > 0 && ctx.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
      await new Promise((r) => setTimeout(r, debounce));
      if (token.isCancellationRequested) {
        return [];
      }
    }
    const params = {
      textDocument: { uri: document.uri.toString() },
      position: { line: position.line, character: position.character },
      context: { triggerKind: ctx.triggerKind === vscode.InlineCompletionTriggerKind.Invoke ? 1 : 2 },
    };
    type Item = { insertText: string | { value: string }; range?: { start: { line: number; character: number }; end: { line: number; character: number } }; filterText?: string };
    let result: { items: Item[] } | Item[] | null;
    try {
      result = await client.sendRequest('textDocument/inlineCompletion', params, token);
    } catch {
      return [];
    }
    const items = Array.isArray(result) ? result : result?.items ?? [];
    return items.map((it) => {
      const text = typeof it.insertText === 'string' ? it.insertText : it.insertText.value;
      const range = it.range
        ? new vscode.Range(it.range.start.line, it.range.start.character, it.range.end.line, it.range.end.character)
        : new vscode.Range(position, position);
      const item = new vscode.InlineCompletionItem(text, range);
      item.filterText = it.filterText;
      return item;
    });
  }
}

function selectionArgs(editor: vscode.TextEditor) {
  const sel = editor.selection;
  return {
    uri: editor.document.uri.toString(),
    range: {
      start: { line: sel.start.line, character: sel.start.character },
      end: { line: sel.end.line, character: sel.end.character },
    },
  };
}

type CatalogueEntry = { Name: string; Params: string; Quant: string; Arch: string; SizeText: string; RAMText: string; Instruct: boolean };

// catalogue asks the weft binary for the models `weft model pull` knows.
function catalogue(weft: string): Promise<CatalogueEntry[]> {
  return new Promise((resolve, reject) => {
    cp.execFile(weft, ['model', 'list', '--catalogue', '--json'], { timeout: 30000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(stderr.trim().split('\n').pop() || String(err)));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as CatalogueEntry[]);
      } catch (e) {
        reject(e);
      }
    });
  });
}

// pull runs `weft model pull NAME`, reporting its "weft: pull: N% (…)" lines as progress;
// it resolves to the downloaded file's path (weft prints it on stdout).
function pull(weft: string, name: string, progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = cp.spawn(weft, ['model', 'pull', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let last = '';
    let done = 0;
    token.onCancellationRequested(() => child.kill());
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (!line.trim()) {
          continue;
        }
        last = line;
        output.appendLine(line);
        const m = /^weft: pull: (\d+)% \((.*)\)/.exec(line);
        if (m) {
          const pct = Number(m[1]);
          progress.report({ message: `${pct}% (${m[2]})`, increment: pct - done });
          done = pct;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const path = stdout.trim().split('\n').pop() || '';
      if (code === 0 && path) {
        resolve(path);
      } else {
        reject(new Error(token.isCancellationRequested ? 'cancelled' : last.replace(/^weft: /, '') || `exit ${code}`));
      }
    });
  });
}

// downloadModel is "weft: Download a model…": a quick pick of the catalogue with sizes and RAM,
// a progress notification, and weft.modelPath set to the file when it is verified.
async function downloadModel(preselect?: string): Promise<void> {
  const weft = findWeft();
  if (!weft) {
    vscode.window.showErrorMessage('weft: no weft binary found. Set "weft.path" or put weft on PATH.');
    return;
  }
  let entries: CatalogueEntry[];
  try {
    entries = await catalogue(weft);
  } catch (err) {
    vscode.window.showErrorMessage(`weft: cannot read the model catalogue: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const items = entries.map((e) => ({
    label: e.Name,
    description: `${e.SizeText} download · ${e.RAMText} RAM`,
    detail: `${e.Params} ${e.Arch} ${e.Quant} — ${e.Instruct ? 'instruct: instruction edits and translation, plus completion' : 'base: completion (FIM)'}`,
    picked: e.Name === preselect,
  }));
  items.sort((a, b) => (a.label === preselect ? -1 : b.label === preselect ? 1 : 0));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Model to download (into weft\'s cache)', matchOnDetail: true });
  if (!pick) {
    return;
  }
  try {
    const file = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `weft: downloading ${pick.label}`, cancellable: true },
      (progress, token) => pull(weft, pick.label, progress, token),
    );
    await vscode.workspace.getConfiguration('weft').update('modelPath', file, vscode.ConfigurationTarget.Global);
    vscode.window.showInformationMessage(`weft: ${pick.label} downloaded and verified; weft.modelPath is now ${file}.`);
  } catch (err) {
    vscode.window.showErrorMessage(`weft: download of ${pick.label} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// offerDownload: when weft says the model cannot do what was asked and names one that can
// ("… weft model pull NAME …"), offer to download it.
async function offerDownload(message: string): Promise<void> {
  const m = /weft model pull (\S+)/.exec(message);
  if (!m) {
    return;
  }
  const choice = await vscode.window.showInformationMessage(
    'weft: this needs a model that follows instructions. Download one now?',
    `Download ${m[1]}`,
    'Choose a model…',
  );
  if (choice) {
    await downloadModel(choice.startsWith('Download') ? m[1] : undefined);
  }
}

async function runCommand(command: string, args: object) {
  if (!client) {
    vscode.window.showErrorMessage('weft: the server is not running.');
    return;
  }
  try {
    await client.sendRequest('workspace/executeCommand', { command, arguments: [args] });
  } catch (err) {
    // The server already told the user why (window/showMessage); a second
    // toast would only repeat it. Errors of the transport itself still show.
    if (err instanceof ResponseError) {
      output.appendLine(`${command} failed: ${err.message}`);
      await offerDownload(err.message);
      return;
    }
    vscode.window.showErrorMessage(`weft: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('weft');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'weft.showLog';
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, new InlineProvider()),
    vscode.commands.registerCommand('weft.showLog', () => output.show(true)),
    vscode.commands.registerCommand('weft.downloadModel', () => downloadModel(SUGGESTED_MODEL)),
    vscode.commands.registerCommand('weft.restart', async () => {
      if (client) {
        await client.stop().catch(() => undefined);
        client = undefined;
      }
      await start(context);
    }),
    vscode.commands.registerCommand('weft.generateFromInstruction', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        return;
      }
      const instruction = await vscode.window.showInputBox({ prompt: 'Describe the code to write', placeHolder: 'e.g. parse the config file and return a map' });
      if (!instruction) {
        return;
      }
      await runCommand('weft.generate', { ...selectionArgs(editor), instruction });
    }),
    vscode.commands.registerCommand('weft.translateTo', async (lang?: string) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        return;
      }
      const to = lang ?? (await vscode.window.showQuickPick(LANGUAGES, { placeHolder: 'Translate to…' }));
      if (!to) {
        return;
      }
      await runCommand('weft.translate', { ...selectionArgs(editor), to });
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('weft.path') || e.affectsConfiguration('weft.modelPath')) {
        await vscode.commands.executeCommand('weft.restart');
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
