;;; gtc-eglot.el --- gtc-lsp for formula files with eglot -*- lexical-binding: t -*-

;; Formula files keep their format's major mode; eglot starts gtc-lsp for them.
;; Load this file (or copy these forms into your init) with Emacs 29+ (eglot built in).

(require 'eglot)

(define-derived-mode gtc-formula-toml-mode conf-toml-mode "Formula[TOML]")
(define-derived-mode gtc-formula-json-mode js-json-mode "Formula[JSON]")
(define-derived-mode gtc-formula-yaml-mode
  (if (fboundp 'yaml-ts-mode) 'yaml-ts-mode 'text-mode) "Formula[YAML]")

(add-to-list 'auto-mode-alist '("\\.formula\\.toml\\'" . gtc-formula-toml-mode))
(add-to-list 'auto-mode-alist '("\\.formula\\.json\\'" . gtc-formula-json-mode))
(add-to-list 'auto-mode-alist '("\\.formula\\.ya?ml\\'" . gtc-formula-yaml-mode))

(add-to-list 'eglot-server-programs
             '((gtc-formula-toml-mode gtc-formula-json-mode gtc-formula-yaml-mode) "gtc-lsp"))

(dolist (hook '(gtc-formula-toml-mode-hook gtc-formula-json-mode-hook gtc-formula-yaml-mode-hook))
  (add-hook hook #'eglot-ensure))

(provide 'gtc-eglot)
;;; gtc-eglot.el ends here
