-- Headless end-to-end check, driven by lsp/tests/nvim.rs: with the formula given on the
-- command line open, wait for gtc-lsp's diagnostics, ask for a completion list and a
-- definition (and jump to it), then write what Neovim received to $GTC_NVIM_OUT.

local out = { diagnostics = {}, completion = {}, definition = {} }

local function finish()
  local f = io.open(os.getenv('GTC_NVIM_OUT'), 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  require('gtc').setup({ cmd = { os.getenv('GTC_LSP') } })
  local buf = vim.api.nvim_get_current_buf()
  vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, { message = d.message, lnum = d.lnum, col = d.col })
  end

  local function position_of(needle, delta)
    for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local s = line:find(needle, 1, true)
      if s then
        return { line = i - 1, character = s - 1 + delta }
      end
    end
  end
  local uri = vim.uri_from_bufnr(buf)

  local res = vim.lsp.buf_request_sync(buf, 'textDocument/completion',
    { textDocument = { uri = uri }, position = position_of('"biuld"', 1) }, 10000)
  for _, r in pairs(res or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do
      table.insert(out.completion, item.label)
    end
  end

  res = vim.lsp.buf_request_sync(buf, 'textDocument/definition',
    { textDocument = { uri = uri }, position = position_of('"setup"', 2) }, 10000)
  for client_id, r in pairs(res or {}) do
    local loc = r.result
    if loc and loc[1] then
      loc = loc[1]
    end
    if loc then
      local client = vim.lsp.get_client_by_id(client_id)
      vim.lsp.util.jump_to_location(loc, client and client.offset_encoding or 'utf-16')
      local cursor = vim.api.nvim_win_get_cursor(0)
      out.definition = { file = vim.api.nvim_buf_get_name(0), line = cursor[1] - 1, col = cursor[2] }
    end
  end
end)
if not ok then
  out.error = tostring(err)
end
finish()
