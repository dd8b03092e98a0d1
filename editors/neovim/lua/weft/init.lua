-- weft for Neovim's built-in LSP client (Neovim >= 0.7).
--
--   require('weft').setup{}            -- defaults below
--
-- weft speaks standard LSP only, so everything here is configuration: start
-- `weft serve` for the enabled filetypes, map a key to code actions (where the
-- "Implement this" and "Translate to …" actions live), add commands that prompt
-- for an instruction or a target language, and turn on native inline
-- completion (ghost text) on Neovim >= 0.12. :WeftPull NAME downloads a model
-- (`weft model pull`) and restarts the server on it.
local M = {}

M.defaults = {
  cmd = { 'weft', 'serve' },
  filetypes = { 'go', 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'rust', 'java', 'c', 'cpp' },
  -- Sent as initializationOptions and answered to workspace/configuration ("weft" section).
  settings = {
    modelPath = '',        -- empty: the model embedded in weft
    maxTokens = 0,         -- 0: weft's own (48 tokens for a line, 128 for a block)
    temperature = 0,
    samples = 8,           -- consensus samples per completion; 0: greedy only (fastest)
    latencyMs = 150,       -- single-line completion latency budget (multi-line: 3x); 0: none
    multiline = 'auto',    -- 'auto' | 'always' | 'never'
    verification = false,  -- compile/type-check translations with local toolchains
    translateTarget = 'newFile', -- 'newFile' | 'replace'
  },
  keymaps = {
    code_action = '<leader>wa', -- Implement / Translate code actions
    implement = '<leader>wi',   -- prompt for an instruction (weft.generate)
    translate = '<leader>wt',   -- prompt for a target language (weft.translate)
  },
  inline_completion = true,     -- Neovim >= 0.12 only
  omnifunc = true,              -- <C-x><C-o> asks weft on older Neovim
  root_markers = { '.git', 'go.mod', 'package.json', 'pyproject.toml', 'Cargo.toml' },
}

M.languages = { 'go', 'python', 'javascript', 'typescript', 'rust', 'java', 'c', 'cpp' }

local config = nil
local client_id = nil

local function find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = vim.fn.fnamemodify(name ~= '' and name or vim.fn.getcwd(), ':p:h')
  for _, marker in ipairs(config.root_markers) do
    local found = vim.fn.finddir(marker, dir .. ';')
    if found == '' then found = vim.fn.findfile(marker, dir .. ';') end
    if found ~= '' then return vim.fn.fnamemodify(found, ':p:h:h') end
  end
  return dir
end

local function weft_client()
  if client_id == nil then return nil end
  return vim.lsp.get_client_by_id(client_id)
end

-- Range of the visual selection, or of the current line, in LSP coordinates.
local function current_range(bufnr)
  local mode = vim.fn.mode()
  local s, e
  if mode == 'v' or mode == 'V' or mode == '\22' then
    s, e = vim.fn.getpos('v'), vim.fn.getpos('.')
    if s[2] > e[2] or (s[2] == e[2] and s[3] > e[3]) then s, e = e, s end
    return { start = { line = s[2] - 1, character = 0 }, ['end'] = { line = e[2], character = 0 } }
  end
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  return { start = { line = row, character = 0 }, ['end'] = { line = row, character = 0 } }
end

local function execute(command, arguments, bufnr)
  local client = weft_client()
  if not client then
    vim.notify('weft: the server is not running', vim.log.levels.ERROR)
    return
  end
  client.request('workspace/executeCommand', { command = command, arguments = { arguments } }, function(err)
    if not err then return end
    local msg = err.message or tostring(err)
    vim.notify('weft: ' .. msg, vim.log.levels.ERROR)
    -- The model cannot do this, and weft says which model can: offer the download.
    local suggested = msg:match('weft model pull (%S+)')
    if suggested and vim.ui and vim.ui.select then
      vim.ui.select({ 'Download ' .. suggested, 'Not now' }, { prompt = 'weft: this needs a model that follows instructions' },
        function(choice)
          if choice and choice:match('^Download') then M.pull(suggested) end
        end)
    end
  end, bufnr)
end

--- Ask for an instruction and let weft write the code (weft.generate).
function M.implement(instruction)
  local bufnr = vim.api.nvim_get_current_buf()
  local range = current_range(bufnr)
  local function run(text)
    if text == nil or text == '' then return end
    execute('weft.generate', { uri = vim.uri_from_bufnr(bufnr), range = range, instruction = text }, bufnr)
  end
  if instruction and instruction ~= '' then return run(instruction) end
  vim.ui.input({ prompt = 'weft: instruction: ' }, run)
end

--- Translate the function under the cursor (or the selection) to another language (weft.translate).
function M.translate(lang)
  local bufnr = vim.api.nvim_get_current_buf()
  local range = current_range(bufnr)
  local function run(to)
    if to == nil or to == '' then return end
    execute('weft.translate', { uri = vim.uri_from_bufnr(bufnr), range = range, to = to }, bufnr)
  end
  if lang and lang ~= '' then return run(lang) end
  vim.ui.select(M.languages, { prompt = 'weft: translate to' }, run)
end

-- The weft binary: the server command's first word.
local function weft_bin() return config.cmd[1] end

-- The model offered when the loaded one cannot follow instructions.
M.suggested_model = 'qwen2.5-coder-1.5b-instruct'

--- Download a model into weft's cache (`weft model pull NAME`), then use it: the
--- modelPath setting becomes the downloaded file and the server restarts on it.
--- NAME is a catalogue name (:WeftPull <Tab>), hf:ORG/REPO/FILE.gguf or a URL.
function M.pull(name, on_done)
  if name == nil or name == '' then name = M.suggested_model end
  local last, path = '', nil
  vim.notify('weft: downloading ' .. name .. ' …')
  local job = vim.fn.jobstart({ weft_bin(), 'model', 'pull', name }, {
    on_stdout = function(_, data)
      for _, l in ipairs(data or {}) do if l ~= '' then path = l end end
    end,
    on_stderr = function(_, data)
      for _, l in ipairs(data or {}) do
        if l ~= '' then
          last = l
          -- weft prints "weft: pull: N% (…)" every 5%; show every 25%.
          local pct = tonumber(l:match('^weft: pull: (%d+)%%'))
          if pct and pct % 25 == 0 then vim.schedule(function() vim.notify(l) end) end
        end
      end
    end,
    on_exit = function(_, code)
      vim.schedule(function()
        if code ~= 0 or not path then
          vim.notify('weft: pull failed: ' .. last, vim.log.levels.ERROR)
          if on_done then on_done(nil, last) end
          return
        end
        config.settings.modelPath = path
        vim.notify('weft: ' .. name .. ' is at ' .. path .. '; restarting the server on it')
        M.restart()
        if on_done then on_done(path) end
      end)
    end,
  })
  if job <= 0 then vim.notify('weft: cannot run ' .. weft_bin(), vim.log.levels.ERROR) end
  return job
end

-- The catalogue's names, for :WeftPull completion (asked of the binary once).
local catalogue = nil
local function catalogue_names()
  if catalogue == nil then
    catalogue = {}
    for i, l in ipairs(vim.fn.systemlist({ weft_bin(), 'model', 'list', '--catalogue' })) do
      local n = l:match('^(%S+)')
      if i > 1 and n then table.insert(catalogue, n) end
    end
  end
  return catalogue
end

local function on_attach(client, bufnr)
  local opts = { buffer = bufnr, silent = true }
  local km = config.keymaps
  if vim.keymap and vim.keymap.set then
    if km.code_action then vim.keymap.set({ 'n', 'v' }, km.code_action, vim.lsp.buf.code_action, opts) end
    if km.implement then vim.keymap.set({ 'n', 'v' }, km.implement, function() M.implement() end, opts) end
    if km.translate then vim.keymap.set({ 'n', 'v' }, km.translate, function() M.translate() end, opts) end
  end
  if config.omnifunc then
    vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  end
  if config.inline_completion and vim.lsp.inline_completion and vim.lsp.inline_completion.enable then
    pcall(vim.lsp.inline_completion.enable, true, { bufnr = bufnr })
  end
end

-- The client's capabilities, plus documentChanges: every Neovim since 0.5
-- applies documentChanges (text edits and create/rename/delete) in
-- vim.lsp.util.apply_workspace_edit, but before 0.8 it does not say so, and
-- weft needs it to open a translation as a new file.
local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.workspace = caps.workspace or {}
  caps.workspace.workspaceEdit = caps.workspace.workspaceEdit or {}
  caps.workspace.workspaceEdit.documentChanges = true
  return caps
end

local function start(bufnr)
  local root = find_root(bufnr)
  local spec = {
    name = 'weft',
    cmd = config.cmd,
    capabilities = capabilities(),
    root_dir = root,
    init_options = config.settings,
    settings = { weft = config.settings },
    on_attach = on_attach,
    handlers = {
      -- weft pulls its settings: answer with the "weft" section.
      ['workspace/configuration'] = function(_, params)
        local out = {}
        for i, item in ipairs(params.items or {}) do
          out[i] = (item.section == 'weft' or item.section == nil) and config.settings or vim.NIL
        end
        return out
      end,
    },
  }
  if vim.lsp.start then
    client_id = vim.lsp.start(spec, { bufnr = bufnr })
    return
  end
  -- Neovim 0.7: one client, attached to each buffer by hand.
  if client_id == nil or vim.lsp.client_is_stopped(client_id) then
    client_id = vim.lsp.start_client(spec)
  end
  if client_id then vim.lsp.buf_attach_client(bufnr, client_id) end
end

--- Stop the server and start it again on the open buffers (after a settings change).
function M.restart()
  local c = weft_client()
  client_id = nil
  if c then c.stop() end
  vim.defer_fn(function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(config.filetypes, vim.bo[b].filetype) then start(b) end
    end
  end, 200)
end

function M.setup(opts)
  config = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify('weft: "' .. config.cmd[1] .. '" is not on PATH; see the weft README (go install ./cmd/weft)', vim.log.levels.WARN)
  end
  local group = vim.api.nvim_create_augroup('weft', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(ev) start(ev.buf) end,
  })
  vim.api.nvim_create_user_command('WeftImplement', function(a) M.implement(a.args) end, { nargs = '?', range = true })
  vim.api.nvim_create_user_command('WeftTranslate', function(a) M.translate(a.args) end,
    { nargs = '?', range = true, complete = function() return M.languages end })
  vim.api.nvim_create_user_command('WeftPull', function(a) M.pull(a.args) end,
    { nargs = '?', complete = function() return catalogue_names() end })
  -- Buffers already open when setup runs.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(config.filetypes, vim.bo[b].filetype) then start(b) end
  end
end

--- The running client's id (tests use it).
function M.client_id() return client_id end

return M
