" Formula files keep their format's filetype (toml / json / yaml) for highlighting;
" gtc-lsp attaches to them by name (see lua/gtc/init.lua).
autocmd BufRead,BufNewFile *.formula.toml setfiletype toml
autocmd BufRead,BufNewFile *.formula.json setfiletype json
autocmd BufRead,BufNewFile *.formula.yaml,*.formula.yml setfiletype yaml
