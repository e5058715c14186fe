"""Fix-its: the edits tnp's messages propose, applied to source files with libcst.

`engine` turns a text and its diagnostics (`findings.Finding`) into proposals
(`proposal.Proposal`), each a set of edits to the text's syntax tree (`edits`), and applies
them; `cli` is `tnp fix` (diagnostics from mypy, `mypy_run`), `lsp` the editor's quick fixes
(diagnostics from the language server's request). The rules: `spec_leaf` (an ambiguous spec
leaf), `running` (running values that start as numbers), `seed` (the seed's imports),
`numpy_calls` (NumPy's function on a tnp value). Nothing here is imported by `tnp_runtime`
itself: libcst loads only when a fix runs.
"""
