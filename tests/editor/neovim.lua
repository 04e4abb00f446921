-- Neovim (headless, its built-in LSP client) against `kpi lsp`: opens a
-- rule file with a misspelt column, and records the diagnostics, the
-- completion after `alumni.`, whether fixing the typo clears the
-- diagnostic, and the hover of an indicator as JSON in
-- $KPI_OUT. Run by tests/editor.rs; the settings are those of
-- docs/editors.md.
local kpi, rules, data, out = os.getenv('KPI_BIN'), os.getenv('KPI_RULES'), os.getenv('KPI_DATA'), os.getenv('KPI_OUT')
local result = { errors = {} }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  local client = vim.lsp.start_client({
    name = 'kpi',
    cmd = { kpi, 'lsp' },
    root_dir = rules,
    init_options = { data = data, debounceMs = 20 },
  })
  assert(client, 'the client did not start')
  vim.cmd('edit ' .. rules .. '/engagement.kpi')
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, client)

  -- Diagnostics as published for the open file.
  vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { line = d.lnum, col = d.col, message = d.message, code = d.code })
  end

  -- Completion after `alumni.`: typed at the end of the first line.
  local first = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  vim.api.nvim_buf_set_lines(buf, 0, 1, false, { first .. ' alumni.' })
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = 0, character = #first + 8 },
  }
  local answers = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000) or {}
  result.completion = {}
  for _, a in pairs(answers) do
    for _, item in ipairs(a.result or {}) do
      table.insert(result.completion, item.label)
    end
  end
  vim.api.nvim_buf_set_lines(buf, 0, 1, false, { first })

  -- The user fixes the typo: the diagnostic goes.
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find('respnded', 1, true) then
      vim.api.nvim_buf_set_lines(buf, i - 1, i, false, { (line:gsub('respnded', 'responded')) })
    end
  end
  result.cleared = vim.wait(15000, function() return #vim.diagnostic.get(buf) == 0 end, 20)

  -- Hover on `response_rate` once the figures are computed.
  local row
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find('indicator response_rate', 1, true) then row = i - 1 end
  end
  local hover = { textDocument = vim.lsp.util.make_text_document_params(buf), position = { line = row, character = 14 } }
  vim.wait(15000, function()
    local answers = vim.lsp.buf_request_sync(buf, 'textDocument/hover', hover, 10000) or {}
    for _, a in pairs(answers) do
      if a.result then result.hover = a.result.contents.value end
    end
    return result.hover ~= nil and not result.hover:find('being computed', 1, true)
      and not result.hover:find('recomputed', 1, true)
  end, 50)
  vim.lsp.stop_client(client)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
