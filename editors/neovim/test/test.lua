-- Headless test: weft's Neovim module, the built-in LSP client and `weft serve`.
-- Prints one line per check and "N passed, N failed"; exits non-zero on failure.
vim.opt.runtimepath:prepend(os.getenv('WEFT_PLUGIN'))
local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    print('ok   ' .. name)
  else
    failed = failed + 1
    print('FAIL ' .. name .. (detail and (': ' .. detail) or ''))
  end
end
local function finish()
  print(string.format('%d passed, %d failed', passed, failed))
  vim.cmd(failed == 0 and 'qall!' or 'cquit!')
end

local weft = require('weft')
local cmd = { os.getenv('WEFT_BIN'), 'serve' }
local model = os.getenv('WEFT_MODEL')
if model and model ~= '' then
  table.insert(cmd, '--model')
  table.insert(cmd, model)
end
weft.setup({ cmd = cmd, settings = { maxTokens = 24 } })

local function open(path, ft)
  vim.cmd('edit ' .. path)
  local bufnr = vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].filetype ~= ft then vim.bo[bufnr].filetype = ft end
  return bufnr
end

local function wait_client(bufnr)
  return vim.wait(60000, function()
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'weft' and c.initialized then return true end
    end
    return false
  end, 50)
end

local function complete_at(bufnr, line, col)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = col } }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, 60000)
  if not res then return nil, 'no response' end
  for _, r in pairs(res) do
    if r.error then return nil, vim.inspect(r.error) end
    local items = r.result and (r.result.items or r.result) or {}
    if #items > 0 then return items[1] end
  end
  return nil, 'no items'
end

local ok, err = pcall(function()
  -- Go: completion inside main's body (line 12, after "fmt.").
  local go = open('main.go', 'go')
  check('client attaches to a Go buffer', wait_client(go))
  local item, why = complete_at(go, 11, 5)
  check('Go completion has an item', item ~= nil, why)
  if item then
    local text = item.textEdit and item.textEdit.newText or item.insertText or item.label
    check('Go completion has text', type(text) == 'string' and #text > 0, vim.inspect(item))
  end

  -- Python: completion in the empty loop body.
  local py = open('util.py', 'python')
  check('client attaches to a Python buffer', wait_client(py))
  item, why = complete_at(py, 8, 8)
  check('Python completion has an item', item ~= nil, why)

  -- Translate: the code action on is_even becomes an edit applied through the client.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(py) },
    range = { start = { line = 1, character = 4 }, ['end'] = { line = 1, character = 4 } },
    context = { diagnostics = {} },
  }
  local res = vim.lsp.buf_request_sync(py, 'textDocument/codeAction', params, 30000) or {}
  local action
  for _, r in pairs(res) do
    for _, a in ipairs(r.result or {}) do
      if a.title:match('Translate to Go') then action = a end
    end
  end
  check('code actions offer "Translate to Go"', action ~= nil)
  if action then
    -- Resolve runs the translation pipeline. With a capable model it yields
    -- an edit that the client applies as a new Go buffer. A model that cannot
    -- write Go that parses (weft's small embedded model today) gets a
    -- RequestFailed error naming why; WEFT_REQUIRE_TRANSLATION=1 demands
    -- the edit.
    local edit, rerr = action.edit, nil
    if not edit then
      local rr = vim.lsp.buf_request_sync(py, 'codeAction/resolve', action, 120000) or {}
      for _, r in pairs(rr) do
        if r.result then edit = r.result.edit end
        if r.error then rerr = r.error end
      end
    end
    if edit then
      check('resolve returns an edit', true)
      vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
      local found = false
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        local name = vim.api.nvim_buf_get_name(b)
        if name:match('%.go$') and not name:match('main%.go$') then
          local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
          found = text:match('func is_even%(') ~= nil
        end
      end
      check('translation opened as a new Go buffer holding func is_even', found)
    elseif os.getenv('WEFT_REQUIRE_TRANSLATION') == '1' then
      check('resolve returns an edit', false, vim.inspect(rerr))
    else
      local msg = rerr and rerr.message or ''
      check('resolve fails with RequestFailed and a reason', rerr ~= nil and rerr.code == -32803 and msg:match('translate:') ~= nil, vim.inspect(rerr))
      print('note: no translation from this model: ' .. msg)
    end
  end

  -- :WeftPull downloads into the cache, points modelPath at the file and restarts the server.
  local url = os.getenv('WEFT_PULL_URL')
  if url and url ~= '' then
    local done, path, perr = false, nil, nil
    vim.cmd('sleep 300m') -- let python's http.server bind
    weft.pull(url, function(p, e) done, path, perr = true, p, e end)
    vim.wait(60000, function() return done end, 50)
    check(':WeftPull downloads the model', path ~= nil and vim.fn.filereadable(path) == 1, tostring(perr))
    if path then
      check(':WeftPull puts it in the cache', path:find(os.getenv('WEFT_MODELS'), 1, true) == 1, path)
      check('the server restarts on the pulled model', wait_client(py))
    end
  else
    print('note: no local model server (WEFT_SKIP_PULL, or python3 not found); :WeftPull not tested')
  end
end)
if not ok then check('test script ran', false, tostring(err)) end
finish()
