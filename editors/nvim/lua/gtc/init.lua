-- gtc-lsp for Neovim 0.7+: starts one gtc-lsp per project root for formula files
-- (*.formula.toml, *.formula.json, *.formula.yaml, *.formula.yml) and attaches them.
-- Usage: require('gtc').setup({ cmd = { 'gtc-lsp' } })

local M = {}

local defaults = {
  cmd = { 'gtc-lsp' },
  -- Files or folders that mark a project root, nearest first.
  root_markers = { '.beads', '.git' },
  on_attach = nil,
  capabilities = nil,
}

local clients = {} -- root -> client id

local function is_formula(name)
  return name:match('%.formula%.toml$') or name:match('%.formula%.json$')
    or name:match('%.formula%.ya?ml$')
end

local function root_of(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = ''
  for _, m in ipairs(markers) do
    local d = vim.fn.finddir(m, dir .. ';')
    if d ~= '' then
      found = d
      break
    end
    local f = vim.fn.findfile(m, dir .. ';')
    if f ~= '' then
      found = f
      break
    end
  end
  if found == '' then
    return dir
  end
  return vim.fn.fnamemodify(found, ':p:h:h')
end

function M.attach(bufnr, opts)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or not is_formula(name) then
    return
  end
  local root = root_of(name, opts.root_markers)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'gtc',
      cmd = opts.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      capabilities = opts.capabilities or vim.lsp.protocol.make_client_capabilities(),
      on_attach = opts.on_attach,
    })
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', defaults, user or {})
  local group = vim.api.nvim_create_augroup('gtc_lsp', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = { '*.formula.toml', '*.formula.json', '*.formula.yaml', '*.formula.yml' },
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
  -- Buffers opened before setup.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) then
      M.attach(b, opts)
    end
  end
end

return M
